"""The documents panel's list: a row per document, two per member unit (its score sheet, its
scorer sheet), 110 at 50 units. Built in Python (`thidua.rows` says why): the template loop
took about 70 µs a row, most of what the panel's time grew by with the units.
"""

from __future__ import annotations

from django.middleware.csrf import get_token
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

from thidua.audit.trail import when
from thidua.core import signing
from thidua.documents.builders import Plan
from thidua.documents.models import IssuedDocument
from thidua.org.models import Cycle
from thidua.rows import SLUG, html_row, html_rows, row_links

_ROW = "<li>\n      <strong>{label}</strong>\n      {body}\n    </li>"
_BUTTON = '<a class="button" href="{url}">{kind}</a>'
_ISSUE = (
    '<form method="post" action="{url}" class="inline">{csrf}'
    '<button type="submit">{label}</button></form>'
)
_CORRECT = (
    '<form method="post" action="{url}" class="inline">{csrf}<label>{reason} '
    '<input name="reason" required maxlength="500"></label> '
    '<button type="submit">{label}</button></form>'
)


def _said(message: str, **values: object) -> SafeString:
    """A translated sentence with its values escaped (as `blocktranslate` fills one)."""
    return mark_safe(message % {name: escape(value) for name, value in values.items()})  # noqa: S308


def _kind(filename: str) -> str:
    return "XLSX" if ".xlsx" in filename else "DOCX"


def panel_rows(
    request,
    cycle: Cycle,
    rows: list[tuple[Plan, IssuedDocument | None]],
    *,
    pdf: bool,
    can_issue: bool,
) -> SafeString:
    """Each document as the panel lists it: ready ones with their downloads (and the form that
    issues one, for who may), issued ones with their number, the others with what they need."""
    document = row_links("document", cycle.cluster.code, cycle.year, SLUG, SLUG)
    issue = row_links("document_issue", cycle.cluster.code, cycle.year, SLUG)
    csrf = (
        html_row(
            '<input type="hidden" name="csrfmiddlewaretoken" value="{token}">',
            token=get_token(request),
        )
        if can_issue
        else ""
    )
    words = {
        "draft": _("Bản nháp theo số liệu hiện tại"),
        "for_unit": _(
            "Bản dự thảo cho đơn vị: đơn vị hoàn thiện, ký và vào sổ văn bản của đơn vị."
        ),
        "stale": _("Số liệu hiện tại chưa tạo lại được"),
        "missing": _("Chưa tạo được"),
        "reason": _("Lý do đính chính"),
        "correct": _("Phát hành bản đính chính"),
        "issue": _("Phát hành (lấy số)"),
    }

    def body(plan: Plan, entry: IssuedDocument | None) -> SafeString:
        if not plan.ready:
            if entry is None:
                return html_row(
                    '<span class="warning small">{missing}: {needs}</span>',
                    missing=words["missing"],
                    needs=" ".join(plan.missing),
                )
            return html_row(
                _BUTTON + '\n      <span class="small">{issued}</span>\n      '
                '<span class="warning small">{stale}: {needs}</span>',
                url=document(plan.key, "file"),
                kind=_kind(entry.filename),
                issued=_said(
                    _("Đã phát hành số %(reference)s lúc %(when)s."),
                    reference=entry.reference,
                    when=when(entry.issued_at),
                ),
                stale=words["stale"],
                needs=" ".join(plan.missing),
            )
        parts = [html_row(_BUTTON, url=document(plan.key, "file"), kind=_kind(plan.filename))]
        if pdf and ".docx" in plan.filename:
            parts.append(html_row(_BUTTON, url=document(plan.key, "pdf"), kind="PDF"))
        parts.append(html_row('<span class="muted small">{name}</span>', name=plan.filename))
        if entry is not None:
            issued = _said(
                _(
                    "Đã phát hành số %(reference)s lúc %(when)s, mã tệp %(digest)s; tải về là "
                    "bản đã phát hành."
                ),
                reference=entry.reference,
                when=when(entry.issued_at),
                digest=signing.grouped(entry.digest or ""),
            )
            if entry.replaces_id:
                issued += " " + _said(_("Thay thế số %(old)s."), old=entry.replaces.reference)
            parts.append(html_row('<span class="small">{issued}</span>', issued=issued))
            parts.append(
                html_row(
                    '<a class="small" href="{url}">{draft}</a>',
                    url=document(plan.key, "draft"),
                    draft=words["draft"],
                )
            )
            if can_issue:
                parts.append(
                    html_row(
                        _CORRECT,
                        url=issue(plan.key),
                        csrf=csrf,
                        reason=words["reason"],
                        label=words["correct"],
                    )
                )
        elif not plan.issuable:
            parts.append(
                html_row('<span class="muted small">{text}</span>', text=words["for_unit"])
            )
        elif can_issue:
            parts.append(html_row(_ISSUE, url=issue(plan.key), csrf=csrf, label=words["issue"]))
        return html_rows(parts, "\n      ")

    return html_rows(
        html_row(_ROW, label=plan.label, body=body(plan, entry)) for plan, entry in rows
    )
