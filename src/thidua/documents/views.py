"""The documents panel of a cycle, downloads, and the year-end report's written sections."""

from __future__ import annotations

from django.contrib import messages
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from thidua.core import narrative, signing
from thidua.core.policy import Action
from thidua.documents import builders, pdf, selectors
from thidua.documents.models import DISCUSSION, GROUNDS, PAGE_TEXTS, SECTIONS
from thidua.documents.panel_rows import panel_rows
from thidua.documents.services import issue_document, save_report_text
from thidua.org.authz import can, require
from thidua.org.lookups import cycle_view
from thidua.org.models import Cycle


@cycle_view(Action.VIEW_RESULTS)
def panel(request, cycle: Cycle):
    issued = selectors.issued_of(cycle)
    texts = selectors.report_texts(cycle)
    can_issue = can(request.user, Action.ISSUE_DOCUMENT, cycle)
    rows = [(plan, issued.get(plan.key)) for plan in builders.plans(cycle)]
    printable = pdf.available()
    return render(
        request,
        "documents/panel.html",
        {
            "cycle": cycle,
            "rows": panel_rows(request, cycle, rows, pdf=printable, can_issue=can_issue),
            "pdf": printable,
            "can_write": can(request.user, Action.EDIT_REPORT_TEXT, cycle),
            "grounds": texts.get(GROUNDS, ""),
            "discussion": texts.get(DISCUSSION, ""),
            "cited": builders.rule_set_grounds(cycle),
        },
    )


@require_POST
@cycle_view(Action.EDIT_REPORT_TEXT)
def grounds(request, cycle: Cycle):
    """The documents page's own texts, each form posting one: the year's grounds the proposals
    cite (the Ministry's guidance, the cluster's rules, after the laws and decrees of the
    cycle's rule set), or the conference's discussion the minutes record; one per line."""
    texts = {key: request.POST[key] for key in PAGE_TEXTS if key in request.POST}
    save_report_text(actor=request.user, cycle=cycle, texts=texts)
    messages.success(
        request,
        _("Đã lưu ý kiến thảo luận.") if DISCUSSION in texts else _("Đã lưu căn cứ của năm."),
    )
    return redirect("documents", cycle.cluster.code, cycle.year)


@require_POST
@cycle_view()
def issue(request, cycle: Cycle, key: str):
    """Issue a document: its number from the register, its bytes frozen, its digest into the
    log (then a signed checkpoint); again, with a reason, it is a correction."""
    issued = issue_document(
        actor=request.user, cycle=cycle, key=key, reason=request.POST.get("reason", "")
    )
    messages.success(
        request,
        _("Đã phát hành %(file)s, số %(reference)s; mã của tệp: %(digest)s.")
        % {
            "file": issued.filename,
            "reference": issued.reference,
            "digest": signing.grouped(issued.digest),
        },
    )
    return redirect("documents", cycle.cluster.code, cycle.year)


@cycle_view(Action.VIEW_RESULTS)
def download(request, cycle: Cycle, key: str, kind: str):
    return builders.attachment(builders.produce(cycle, key, kind))


@cycle_view(Action.VIEW_RESULTS)
def report_text(request, cycle: Cycle):
    """The year-end report's written sections: each one saved, or the draft written from the
    cycle's data, which the report prints until the leader unit saves its own text."""
    stored = selectors.report_texts(cycle)
    if request.method == "POST":
        require(request.user, Action.EDIT_REPORT_TEXT, cycle)
        draft = selectors.report_draft(cycle)
        # a section sent back as the draft stands is not written: it keeps following the data
        texts = {
            key: ""
            if narrative.same_text(request.POST[key], draft.text(key))
            else request.POST[key]
            for key, _label in SECTIONS
            if key in request.POST
        }
        save_report_text(actor=request.user, cycle=cycle, texts=texts)
        messages.success(request, _("Đã lưu nội dung báo cáo."))
        return redirect(f"/clusters/{cycle.cluster.code}/{cycle.year}/documents/")
    draft = selectors.report_draft(cycle)
    sections = []
    for key, label in SECTIONS:
        saved = (stored.get(key) or "").strip()
        fresh = draft.text(key)
        sections.append(
            {
                "key": key,
                "label": label,
                "text": saved or fresh,
                "saved": bool(saved),
                "draft": fresh,
                "differs": bool(saved) and not narrative.same_text(saved, fresh),
            }
        )
    return render(
        request,
        "documents/report_text.html",
        {
            "cycle": cycle,
            "sections": sections,
            "editable": can(request.user, Action.EDIT_REPORT_TEXT, cycle),
        },
    )
