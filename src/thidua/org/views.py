"""Pages of the organisation: parse, authorise, call a service or selector, render."""

from __future__ import annotations

from datetime import UTC, date

from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe

from thidua import xlsx
from thidua.core import deadlines as core_deadlines
from thidua.core import icalendar
from thidua.core.messages import format_day
from thidua.core.phases import CLOSED, PHASE_LABELS, Phase
from thidua.core.policy import Action
from thidua.errors import DomainError
from thidua.org import register, selectors, services
from thidua.org.authz import can, require
from thidua.org.forms import (
    CycleCreateForm,
    CycleForm,
    DecisionForm,
    HandoverForm,
    LineageEventForm,
    MergerForm,
    TitleRecordForm,
    TokenForm,
    UnitProfileForm,
    show_errors,
)
from thidua.org.lookups import cycle_view, found_or_404
from thidua.org.models import Cycle, Handover, LineageLink
from thidua.rows import SLUG, html_row, html_rows, row_links


def _phase(code: str) -> Phase:
    try:
        return Phase(code)
    except ValueError:
        raise Http404(_("Không có giai đoạn này.")) from None


def _render_form(request, template: str, context: dict, *, invalid: bool):
    return render(request, template, context, status=400 if invalid else 200)


# --- units --------------------------------------------------------------------------------


def unit_detail(request, code: str):
    unit = found_or_404(selectors.unit_at(code))
    require(request.user, Action.VIEW_UNIT, unit)
    lineage = selectors.unit_lineage(unit)
    return render(
        request,
        "org/unit_detail.html",
        {
            "unit": unit,
            "lineage": lineage,
            # a year of another cluster is listed, but not as a link to a page that says 403
            "viewable": {c.pk for c in lineage.cycles if can(request.user, Action.VIEW_CYCLE, c)},
            "can_edit": can(request.user, Action.EDIT_UNIT, unit),
        },
    )


def unit_edit(request, code: str):
    unit = found_or_404(selectors.unit_at(code))
    require(request.user, Action.EDIT_UNIT, unit)
    form = UnitProfileForm(request.POST or None, instance=selectors.unit_at(code))
    if request.method == "POST" and form.is_valid():
        try:
            services.update_unit_profile(
                actor=request.user,
                unit=unit,
                **{name: form.cleaned_data[name] for name in UnitProfileForm.Meta.fields},
            )
        except DomainError as error:
            show_errors(form, error)
        else:
            messages.success(request, _("Đã lưu thông tin đơn vị."))
            return redirect("unit", code=unit.code)
    return _render_form(
        request,
        "org/unit_form.html",
        {"unit": unit, "form": form},
        invalid=request.method == "POST",
    )


def lineage_events(request):
    require(request.user, Action.VIEW_UNIT)
    return render(
        request,
        "org/lineage_list.html",
        {
            "events": selectors.all_lineage_events(),
            "can_record": can(request.user, Action.RECORD_LINEAGE),
        },
    )


def lineage_event_new(request):
    require(request.user, Action.RECORD_LINEAGE)
    form = LineageEventForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.record_lineage_event(actor=request.user, **form.cleaned_data)
        except DomainError as error:
            show_errors(form, error)
        else:
            messages.success(request, _("Đã ghi nhận sự kiện."))
            return redirect("lineage")
    return _render_form(
        request, "org/lineage_form.html", {"form": form}, invalid=request.method == "POST"
    )


# --- clusters and cycles ------------------------------------------------------------------


def cluster_detail(request, code: str):
    cluster = found_or_404(selectors.cluster_at(code))
    require(request.user, Action.VIEW_CLUSTER, cluster)
    overview = selectors.cluster_overview(request.user, cluster)
    return render(
        request,
        "org/cluster_detail.html",
        {
            "cluster": cluster,
            "cycles": overview.cycles,
            "handovers": overview.handovers,
            "hidden_cycles": overview.hidden_cycles,
            "can_create": can(request.user, Action.CREATE_CYCLE, cluster),
        },
    )


def cycle_new(request, code: str):
    cluster = found_or_404(selectors.cluster_at(code))
    require(request.user, Action.CREATE_CYCLE, cluster)
    form = CycleCreateForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            cycle = services.create_cycle(actor=request.user, cluster=cluster, **form.cleaned_data)
        except DomainError as error:
            show_errors(form, error)
        else:
            messages.success(request, _("Đã tạo năm thi đua."))
            return redirect("cycle", code=cluster.code, year=cycle.year)
    return _render_form(
        request,
        "org/cycle_form.html",
        {"cluster": cluster, "form": form},
        invalid=request.method == "POST",
    )


def _midyear_choice(cycle: Cycle) -> list:
    """The mid-year review, among what a deadline can be set for, while it is open."""
    if core_deadlines.midyear_state(cycle.position) != core_deadlines.MIDYEAR_OPEN:
        return []
    step = core_deadlines.Milestone.MIDYEAR
    return [(step.value, core_deadlines.STEP_LABELS[step])]


_MEMBER_ROW = '<li><a href="{url}">{name}</a>{badge}{joined}</li>'


def _member_rows(cycle: Cycle, members: list) -> SafeString:
    """The members as the cycle page lists them (`thidua.rows`): each linked to its unit's
    page, the leader and the deputy marked, and how a unit joined during the year."""
    link = row_links("unit", SLUG)
    badges = {cycle.deputy_id: _("cụm phó"), cycle.leader_id: _("cụm trưởng")}
    badges.pop(None, None)
    return html_rows(
        html_row(
            _MEMBER_ROW,
            url=link(unit.code),
            name=unit.name,
            badge=html_row('\n      <span class="badge">{b}</span>', b=badges[unit.pk])
            if unit.pk in badges
            else "",
            joined=html_row(
                '\n      <span class="muted small joined">({n})</span>', n=unit.joined_note
            )
            if unit.joined_note
            else "",
        )
        for unit in members
    )


@cycle_view(Action.VIEW_CYCLE)
def cycle_detail(request, cycle: Cycle):
    timeline = selectors.phase_timeline(cycle)
    today = timezone.localdate()
    members = selectors.member_units(cycle)
    return render(
        request,
        "org/cycle_detail.html",
        {
            "cycle": cycle,
            "members": members,
            "member_rows": _member_rows(cycle, members),
            "user_unit_member": request.user.unit_id in {unit.pk for unit in cycle.member_list},
            "timeline": timeline,
            "next_phase": next((row for row in timeline if row.status == "pending"), None)
            if not cycle.phase_is_open
            else None,
            "handovers": selectors.handovers_of(cycle.cluster, years=(cycle.year, cycle.year + 1)),
            "eligibility": register.eligibility_display(selectors.eligibility_table(cycle)),
            "late": selectors.late(cycle),
            "deadlines": [
                (row, core_deadlines.STEP_LABELS[row.phase])
                for row in selectors.deadlines(cycle, today)
            ],
            "deadline_phases": [
                (row.phase, row.label) for row in timeline if row.status not in ("done", "closed")
            ]
            + _midyear_choice(cycle),
            "can": {
                "deadlines": can(request.user, Action.SET_DEADLINE, cycle),
                "edit": can(request.user, Action.EDIT_CYCLE, cycle),
                "phases": can(request.user, Action.OPEN_PHASE, cycle),
                "handover": can(request.user, Action.RECORD_HANDOVER, cycle),
                "audit": can(request.user, Action.VIEW_AUDIT, cycle),
                "merger": can(request.user, Action.RECORD_LINEAGE)
                and cycle.state != CLOSED
                and bool(selectors.merge_events_for(cycle)),
            },
        },
    )


@cycle_view(Action.EDIT_CYCLE)
def cycle_edit(request, cycle: Cycle):
    initial = {
        "members": selectors.member_units(cycle),
        "leader": cycle.leader,
        "deputy": cycle.deputy,
        "title": cycle.title,
        "note": cycle.note,
    }
    form = CycleForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.update_cycle(actor=request.user, cycle=cycle, **data)
        except DomainError as error:
            show_errors(form, error)
        else:
            messages.success(request, _("Đã lưu năm thi đua."))
            return redirect("cycle", code=cycle.cluster.code, year=cycle.year)
    return _render_form(
        request,
        "org/cycle_form.html",
        {"cluster": cycle.cluster, "cycle": cycle, "form": form},
        invalid=request.method == "POST",
    )


@require_POST
@cycle_view()
def phase_action(request, cycle: Cycle, phase: str, action: str):
    target = _phase(phase)
    done = {"open": _("Đã mở"), "close": _("Đã đóng"), "reopen": _("Đã mở lại")}
    if action not in done:
        raise Http404
    if action == "close" and not request.POST.get("confirm"):
        # Closing locks what was entered: say first who has not finished, and ask again.
        require(request.user, Action.CLOSE_PHASE, cycle)
        current = cycle.phase == target.value
        waiting = selectors.late(cycle) if current else []
        unsettled = selectors.unsettled(cycle) if current else []
        if waiting or unsettled:
            return render(
                request,
                "org/phase_close_confirm.html",
                {
                    "cycle": cycle,
                    "phase": target,
                    "label": PHASE_LABELS[target],
                    "late": waiting,
                    "unsettled": unsettled,
                },
            )
    try:
        if action == "reopen":
            reason = request.POST.get("reason", "")
            services.reopen_phase(actor=request.user, cycle=cycle, phase=target, reason=reason)
        elif action == "open":
            services.open_phase(actor=request.user, cycle=cycle, phase=target)
        else:
            services.close_phase(actor=request.user, cycle=cycle, phase=target)
    except DomainError as error:
        for message in error.messages():
            messages.error(request, message)
    else:
        messages.success(request, f"{done[action]}: {_(PHASE_LABELS[target])}.")
    return redirect("cycle", code=cycle.cluster.code, year=cycle.year)


@require_POST
@cycle_view(Action.SET_DEADLINE)
def deadline_set(request, cycle: Cycle):
    target = core_deadlines.step_of(request.POST.get("phase", ""))
    if target is None:
        raise Http404(_("Không có giai đoạn này."))
    try:
        due = date.fromisoformat(request.POST.get("due", ""))
    except ValueError:
        messages.error(request, _("Ngày không hợp lệ (định dạng năm-tháng-ngày)."))
        return redirect("cycle", code=cycle.cluster.code, year=cycle.year)
    try:
        services.set_deadline(actor=request.user, cycle=cycle, phase=target, due=due)
    except DomainError as error:
        for message in error.messages():
            messages.error(request, message)
    else:
        messages.success(
            request,
            _("Đã đặt thời hạn giai đoạn %(phase)s: %(due)s.")
            % {"phase": _(core_deadlines.STEP_LABELS[target]), "due": format_day(due)},
        )
    return redirect("cycle", code=cycle.cluster.code, year=cycle.year)


@cycle_view(Action.RECORD_HANDOVER)
def handover_new(request, cycle: Cycle):
    """Record next year's leader and deputy; once recorded, the page says what and only the
    Ministry may supersede it by an assignment."""
    eligible = selectors.handover_candidates(cycle)
    can_assign = can(request.user, Action.ASSIGN_LEADER)
    current = selectors.current_handover(cycle.cluster, cycle.year + 1)
    form = HandoverForm(
        request.POST or None,
        eligible=eligible,
        can_assign=can_assign,
        initial={"method": Handover.Method.ASSIGNED} if current and can_assign else None,
    )
    status = 400
    if request.method == "POST" and form.is_valid():
        try:
            services.record_handover(actor=request.user, cycle=cycle, **form.cleaned_data)
        except DomainError as error:
            show_errors(form, error)
            status = error.status
        else:
            messages.success(request, _("Đã ghi nhận bàn giao cụm trưởng."))
            return redirect("cycle", code=cycle.cluster.code, year=cycle.year)
    return render(
        request,
        "org/handover_form.html",
        {
            "cycle": cycle,
            "form": form,
            "next_year": cycle.year + 1,
            "current": current,
            "show_form": current is None or can_assign,
        },
        status=status if request.method == "POST" else 200,
    )


@cycle_view(Action.RECORD_LINEAGE)
def merger_apply(request, cycle: Cycle):
    """Apply a merger of the year to the cycle: the new unit joins, the merged units leave,
    their accounts go to it or are closed pointing to it, their pending work goes to it."""
    events = selectors.merge_events_for(cycle)
    sources = {
        link.unit
        for event in events
        for link in event.links.all()
        if link.role == LineageLink.Role.SOURCE
    }
    form = MergerForm(
        request.POST or None, events=events, accounts=selectors.open_accounts_of(sources)
    )
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            try:
                services.apply_merger(
                    actor=request.user,
                    cycle=cycle,
                    event=form.cleaned_data["event"],
                    move=form.cleaned_data["move"],
                )
            except DomainError as error:
                show_errors(form, error)
                status = error.status
            else:
                messages.success(request, _("Đã áp dụng sáp nhập vào năm thi đua."))
                return redirect("cycle", code=cycle.cluster.code, year=cycle.year)
    return render(
        request,
        "org/merger_form.html",
        {"cycle": cycle, "form": form, "events": events},
        status=status,
    )


# --- API tokens ---------------------------------------------------------------------------


def tokens(request):
    require(request.user, Action.MANAGE_OWN_TOKENS)
    form = TokenForm(request.POST or None)
    new_key = None
    if request.method == "POST" and form.is_valid():
        try:
            _token, new_key = services.create_api_token(
                actor=request.user,
                name=form.cleaned_data["name"],
                scopes=form.cleaned_data["scopes"],
                days=form.cleaned_data["days"],
            )
        except DomainError as error:
            show_errors(form, error)
        else:
            form = TokenForm()
    return render(
        request,
        "org/tokens.html",
        {
            "form": form,
            "new_key": new_key,
            "tokens": selectors.tokens_of(request.user),
        },
        status=400 if form.errors else 200,
    )


@require_POST
def token_revoke(request, pk: int):
    token = found_or_404(selectors.own_token(request.user, pk))
    services.revoke_api_token(actor=request.user, token=token)
    messages.success(request, _("Đã thu hồi khóa API."))
    return redirect("tokens")


# --- the calendar feed of deadlines -------------------------------------------------------


def calendar_tokens(request):
    """Turn one's calendar feed on (a new secret address, the old one ends) or off."""
    require(request.user, Action.MANAGE_OWN_TOKENS)
    feed_url = None
    if request.method == "POST":
        if request.POST.get("action") == "revoke":
            services.revoke_calendar_token(actor=request.user)
            messages.success(request, _("Đã thu hồi địa chỉ lịch."))
            return redirect("calendar_tokens")
        _token, raw = services.create_calendar_token(actor=request.user)
        feed_url = request.build_absolute_uri(reverse("calendar_feed", args=[raw]))
    return render(
        request,
        "org/calendar_tokens.html",
        {"feed_url": feed_url, "live": selectors.live_calendar_token(request.user)},
    )


@login_not_required
@require_safe
def calendar_feed(request, key: str):
    """The deadlines of the person's cycles as iCalendar; the secret key in the address
    stands for the person. A wrong or revoked key finds nothing (404)."""
    token = found_or_404(selectors.calendar_token_for_key(key))
    user = token.user
    if not user.is_active:
        raise Http404
    events = []
    host = request.get_host()
    for cycle in selectors.visible_cycles(user):
        base = reverse("cycle", kwargs={"code": cycle.cluster.code, "year": cycle.year})
        for deadline in selectors.deadlines(cycle, timezone.localdate()):
            label = _(core_deadlines.STEP_LABELS[deadline.phase])
            events.append(
                icalendar.Event(
                    uid=f"{cycle.cluster.code}-{cycle.year}-{deadline.phase.value}@{host}",
                    day=deadline.due,
                    summary=_("Hạn %(phase)s – %(cycle)s %(year)s")
                    % {"phase": label, "cycle": cycle.title, "year": cycle.year},
                    description=_("Thời hạn giai đoạn “%(phase)s” của %(cycle)s năm %(year)s.")
                    % {"phase": label, "cycle": cycle.title, "year": cycle.year},
                    url=request.build_absolute_uri(base),
                )
            )
    body = icalendar.calendar(
        events,
        name=_("Thời hạn thi đua"),
        stamp=timezone.now().astimezone(UTC),
        prodid="-//thidua//thidua//VI",
    )
    response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = 'inline; filename="thidua.ics"'
    response["Cache-Control"] = "private, no-store"
    return response


# --- the register of titles ---------------------------------------------------------------


def register_page(request, code: str):
    """The cluster's units × years with the state of each title; an empty cell is unknown. A
    year whose cycle the user may not read is left out (its proposals are the cycle's)."""
    cluster = found_or_404(selectors.cluster_at(code))
    require(request.user, Action.VIEW_CLUSTER, cluster)
    table = selectors.register_of(cluster)
    cycles = selectors.cycles_by_year(cluster)
    shown = [
        index
        for index, year in enumerate(table.years)
        if year not in cycles or can(request.user, Action.VIEW_CYCLE, cycles[year])
    ]
    years = [table.years[index] for index in shown]
    rows = [(row.unit, [row.cells[index] for index in shown]) for row in table.rows]
    people = [(row.person, [row.cells[index] for index in shown]) for row in table.people]
    people = [(person, cells) for person, cells in people if any(cells)]
    decide_years = [
        year
        for year in years
        if year in cycles and can(request.user, Action.RECORD_DECISION, cycles[year])
    ]
    return render(
        request,
        "org/register.html",
        {
            "cluster": cluster,
            "years": years,
            "rows": rows,
            "people": people,
            "hidden_years": len(table.years) - len(years),
            "can_record": can(request.user, Action.RECORD_TITLES, cluster),
            "decide_years": decide_years,
        },
    )


def register_new(request, code: str):
    cluster = found_or_404(selectors.cluster_at(code))
    require(request.user, Action.RECORD_TITLES, cluster)
    form = TitleRecordForm(request.POST or None, units=selectors.units_in(cluster))
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        decision = register.DecisionData.entered(data["number"], data["signed_on"], data["issuer"])
        try:
            register.record_title(
                actor=request.user,
                cluster=cluster,
                unit=data["unit"],
                year=data["year"],
                title_code=data["title_code"],
                title=data["title"],
                level=data["level"],
                state=data["state"],
                decision=decision,
                source=data["source"],
                person=register.PersonData.entered(
                    data["full_name"], data["rank"], data["position"], data["person_key"]
                ),
            )
        except DomainError as error:
            show_errors(form, error)
        else:
            messages.success(request, _("Đã ghi vào sổ danh hiệu."))
            return redirect("register", code=cluster.code)
    return _render_form(
        request,
        "org/register_form.html",
        {"cluster": cluster, "form": form},
        invalid=request.method == "POST",
    )


def register_import(request, code: str):
    cluster = found_or_404(selectors.cluster_at(code))
    require(request.user, Action.RECORD_TITLES, cluster)
    problems = []
    if request.method == "POST":
        upload = request.FILES.get("file")
        if upload is None:
            problems = [register.no_file_problem()]
        else:
            try:
                saved = register.import_titles(
                    actor=request.user,
                    cluster=cluster,
                    content=upload.read(xlsx.MAX_BYTES + 1),
                )
            except (xlsx.WorkbookRefused, DomainError) as error:
                problems = error.problems
            else:
                messages.success(
                    request, _("Đã nhập %(count)s dòng vào sổ danh hiệu.") % {"count": len(saved)}
                )
                return redirect("register", code=cluster.code)
    return render(
        request,
        "org/register_import.html",
        {
            "cluster": cluster,
            "problems": problems,
            "columns": [header for _letter, _name, header in register.COLUMNS],
            "max_mb": xlsx.MAX_BYTES // (1024 * 1024),
        },
        status=400 if problems else 200,
    )


def register_template(request, code: str):
    cluster = found_or_404(selectors.cluster_at(code))
    require(request.user, Action.VIEW_CLUSTER, cluster)
    response = HttpResponse(register.template_xlsx(), content_type=xlsx.CONTENT_TYPE)
    name = xlsx.safe_filename("so-danh-hieu", cluster.code)
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


@cycle_view(Action.RECORD_DECISION)
def register_decision(request, cycle: Cycle):
    """The decision on the year's proposals, recorded by the Ministry's office or, on its
    behalf, by the year's leader unit (also after the cycle is closed)."""
    waiting = selectors.proposed_of(cycle.cluster, cycle.year)
    form = DecisionForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        chosen = {
            record.pk: request.POST.get(f"r_{record.pk}", "")
            for record in waiting
            if request.POST.get(f"r_{record.pk}") in ("awarded", "not_awarded")
        }
        try:
            register.record_decision(
                actor=request.user,
                number=form.cleaned_data["number"],
                signed_on=form.cleaned_data["signed_on"],
                issuer=form.cleaned_data["issuer"],
                pdf=form.cleaned_data.get("pdf"),
                outcomes=[
                    (record, chosen[record.pk] == "awarded")
                    for record in waiting
                    if record.pk in chosen
                ],
            )
        except DomainError as error:
            show_errors(form, error)
        else:
            messages.success(request, _("Đã ghi nhận quyết định khen thưởng."))
            return redirect("register", code=cycle.cluster.code)
    return _render_form(
        request,
        "org/register_decision.html",
        {"cycle": cycle, "form": form, "waiting": waiting},
        invalid=request.method == "POST",
    )


def decision_pdf(request, pk: int):
    decision = found_or_404(selectors.decision_at(pk))
    require(request.user, Action.VIEW_CLUSTER)
    if not decision.pdf:
        raise Http404
    return FileResponse(
        decision.pdf.open("rb"),
        as_attachment=True,
        filename=xlsx.safe_filename("quyet-dinh", str(decision.pk)).replace(".xlsx", ".pdf"),
        content_type="application/pdf",
    )
