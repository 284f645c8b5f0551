"""Conference pages: delegates and check-in, polls, the phone ballot, counting, the screen."""

from __future__ import annotations

import functools
import json

import segno
from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.decorators import login_not_required
from django.contrib.auth.views import redirect_to_login
from django.http import Http404, HttpResponse, HttpResponseNotAllowed
from django.shortcuts import redirect, render
from django.template.loader import get_template
from django.urls import reverse
from django.utils import translation
from django.utils.html import conditional_escape
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST

from thidua.core import ballot_crypto as crypto
from thidua.core import ballots as core
from thidua.core import score_ballots
from thidua.core.eligibility import STATUS_LABELS, Status
from thidua.core.messages import Problem, gettext_noop
from thidua.core.policy import Action
from thidua.core.score_ballots import ScoreBallot
from thidua.errors import DomainError, Refused
from thidua.org import register
from thidua.org import selectors as org_selectors
from thidua.org.authz import can, require
from thidua.org.backends import SessionClaim
from thidua.org.lookups import cycle_view, found_or_404
from thidua.org.models import Cycle
from thidua.scoring import selectors as scoring_selectors
from thidua.voting import ceremony as board
from thidua.voting import devices, selectors, services
from thidua.voting import rules as voting_rules
from thidua.voting.forms import ConferenceForm
from thidua.voting.models import Conference, Delegate, Poll

SCOPE = "conference_scope"


def _conference(cycle: Cycle) -> Conference:
    conference = selectors.conference_of(cycle)
    if conference is None:
        raise Http404(_("Năm thi đua này chưa có hội nghị."))
    return conference


def _home(cycle: Cycle) -> str:
    return reverse("conference", args=[cycle.cluster.code, cycle.year])


def _errors(request, error: DomainError) -> None:
    for message in error.messages():
        messages.error(request, message)


@cycle_view(Action.VIEW_CONFERENCE)
def conference(request, cycle: Cycle):
    found = selectors.conference_of(cycle)
    manage = can(request.user, Action.MANAGE_CONFERENCE, cycle)
    if found is None:
        form = ConferenceForm(request.POST or None)
        if manage and request.method == "POST" and form.is_valid():
            services.open_conference(actor=request.user, cycle=cycle, **form.cleaned_data)
            return redirect(_home(cycle))
        return render(
            request,
            "voting/no_conference.html",
            {"cycle": cycle, "manage": manage, "form": form},
            status=400 if form.errors else 200,
        )
    return _conference_page(request, cycle, found, manage)


def _conference_page(
    request, cycle: Cycle, found: Conference, manage: bool, draft: dict | None = None
):
    """The conference page; `draft`: a new poll's fields as the secretary sent them, refused
    (status 400): the form shows them again with the reasons above, so nothing typed is lost."""
    polls = selectors.polls_of(found)
    me = selectors.delegate_for(request.user, found)
    mine = selectors.my_votes(found, me)
    titles = voting_rules.titles(cycle.rule_set) if cycle.rule_set.data.get("voting") else []
    # Next year's hand-over, once recorded, replaces the button (one record per election).
    recorded = org_selectors.current_handover(cycle.cluster, cycle.year + 1) if manage else None
    delegates = selectors.delegate_rows(found) if manage else []
    candidates = selectors.addable_users(cycle, {d.user_id for d in delegates}) if manage else []
    members = org_selectors.member_units(cycle) if manage else []
    refused = draft is not None
    draft = draft if refused else _EMPTY_DRAFT
    return render(
        request,
        "voting/conference.html",
        {
            "cycle": cycle,
            "conference": found,
            "polls": polls,
            "me": me,
            "mine": mine,
            "delegates": delegates,
            "addable": candidates,
            "boards": Delegate.Board.choices,
            "purposes": Poll.Purpose.choices,
            "modes": Poll.Mode.choices,
            "manage": manage,
            "count": can(request.user, Action.COUNT_BALLOTS, cycle),
            "board_names": [
                f"{d.user.display_name} ({d.get_board_display().lower()})"
                for d in selectors.board_of(found)
            ],
            "titles": titles,
            "score_vote": bool((cycle.rule_set.data.get("voting") or {}).get("score_vote")),
            "draft": draft,
            "candidate_rows": [
                (unit, unit.code in draft["candidates"], draft["keep"].get(unit.code, ""))
                for unit in members
            ],
            "eligibility": register.eligibility_display(selectors.eligibility_table(cycle)),
            "nominations": selectors.nomination_problems(cycle, polls),
            "handover": recorded,
            "handover_ready": manage
            and recorded is None
            and services.elected(found, Poll.Purpose.LEADER) is not None,
        },
        status=400 if refused else 200,
    )


#: What the new-poll form sends besides its candidates and the reasons to keep one.
_POLL_FIELDS = ("code", "title", "purpose", "title_code", "seats", "kind", "mode")
#: The new-poll form as it first shows: nothing typed, the first choice of each list.
_EMPTY_DRAFT: dict = {**dict.fromkeys(_POLL_FIELDS, ""), "candidates": frozenset(), "keep": {}}


def _draft(post) -> dict:
    """A refused new poll's fields as sent, for the form to show again."""
    return {
        **{name: post.get(name, "") for name in _POLL_FIELDS},
        "candidates": frozenset(post.getlist("candidates")),
        "keep": {
            name.removeprefix("keep_"): value
            for name, value in post.items()
            if name.startswith("keep_") and value
        },
    }


@require_POST
@cycle_view()
def add_delegates(request, cycle: Cycle):
    """Add delegate accounts of member units; a board role can be set at the same time."""
    found = _conference(cycle)
    require(request.user, Action.MANAGE_CONFERENCE, cycle)
    board = request.POST.get("board", "")
    if board not in Delegate.Board.values:
        raise Http404
    users = org_selectors.users_with_pk(request.POST.getlist("users"))
    try:
        for user in users:
            services.add_delegate(actor=request.user, conference=found, user=user, board=board)
    except DomainError as error:
        _errors(request, error)
    else:
        messages.success(request, _("Đã cập nhật danh sách đại biểu."))
    return redirect(_home(cycle))


@require_POST
@cycle_view()
def check_in(request, cycle: Cycle, pk: int):
    """Check a delegate in — or, for one already checked in, give a new key: a separate act
    that needs the reason typed. The key is shown once, here, and never again."""
    delegate = found_or_404(selectors.delegate_in(cycle, pk))
    require(request.user, Action.MANAGE_CONFERENCE, cycle)
    if delegate.checked_in_at is not None:
        try:
            key = services.reissue_key(
                actor=request.user, delegate=delegate, reason=request.POST.get("reason", "")
            )
        except DomainError as error:
            _errors(request, error)
            return redirect(_home(cycle))
    else:
        key = services.check_in(actor=request.user, delegate=delegate)
    link = request.build_absolute_uri(reverse("conference_join", args=[key]))
    qr = segno.make(link, error="m").svg_inline(scale=5, dark="#1c1f23", light="#ffffff")
    response = render(
        request,
        "voting/check_in.html",
        {
            "cycle": cycle,
            "delegate": delegate,
            "link": link,
            "qr": qr,
            "short_code": f"{key[:5]}-{key[5:]}",
            "reissued": delegate.checked_in_at is not None,
        },
    )
    response["Cache-Control"] = "no-store"  # shown once: not kept by the browser either
    return response


def _address(request) -> str:
    return request.META.get("REMOTE_ADDR", "")[:64]


def _join_refused(request, status: int = 403):
    return render(request, "voting/join_refused.html", {"throttled": status == 429}, status=status)


@login_not_required
@never_cache
@require_http_methods(["GET", "POST"])
def join_by_code(request):
    """Typing the short code instead of scanning the QR code."""
    typed = services.normal_key(request.POST.get("code", "")) if request.method == "POST" else ""
    if typed:
        return redirect(reverse("conference_join", args=[typed]))
    return render(request, "voting/join_code.html")


@login_not_required
@never_cache
@require_http_methods(["GET", "POST"])
def join(request, key: str):
    """The QR code's link: signs the delegate in, once, for this conference only, and records
    the phone's device key (made by its browser) that signs its ballots.

    Opening the link (a GET, which another site can trigger) only shows who is about to sign
    in; signing in is the button's POST, protected against cross-site requests. Wrong keys
    from one address are limited (429 after ten in ten minutes)."""
    address = _address(request)
    if services.join_throttled(address):
        return _join_refused(request, 429)
    delegate = selectors.delegate_by_key(services.normal_key(key))
    if delegate is None or not delegate.user.is_active:
        services.join_failed(address)
        return _join_refused(request)
    cycle = delegate.conference.cycle
    if request.method != "POST":
        current = request.user if request.user.is_authenticated else None
        return render(
            request,
            "voting/join.html",
            {
                "cycle": cycle,
                "delegate": delegate,
                "signed_in_as": current.display_name
                if current is not None and current.pk != delegate.user_id
                else None,
            },
        )
    if services.redeem_join_key(key, request.POST.get("device_key", "")) is None:
        return _join_refused(request)
    login(request, delegate.user, backend="thidua.org.backends.UserBackend")
    request.session[SCOPE] = _home(cycle)
    return redirect(_home(cycle))


@require_POST
@cycle_view(Action.MANAGE_CONFERENCE)  # refusals are 403/409, not a flash
def create_poll(request, cycle: Cycle):
    found = _conference(cycle)
    post = request.POST
    units = {unit.code: unit for unit in org_selectors.member_units(cycle)}
    chosen = [units[c] for c in post.getlist("candidates") if c in units] or None
    try:
        seats = int(post["seats"]) if post.get("seats") else None
    except ValueError:
        messages.error(request, _("Số suất phải là số nguyên."))
        return _conference_page(request, cycle, found, manage=True, draft=_draft(post))
    try:
        if post.get("kind") == voting_rules.SCORE:
            services.create_score_poll(
                actor=request.user,
                conference=found,
                code=post.get("code", "").strip(),
                title=post.get("title", "").strip() or post.get("code", ""),
                mode=post.get("mode", Poll.Mode.ELECTRONIC),
            )
        else:
            services.create_poll(
                actor=request.user,
                conference=found,
                code=post.get("code", "").strip(),
                title=post.get("title", "").strip() or post.get("code", ""),
                purpose=post.get("purpose", Poll.Purpose.TITLE),
                title_code=post.get("title_code", ""),
                candidates=chosen,
                seats=seats,
                kind=post.get("kind", core.Kind.CHOICE.value),
                mode=post.get("mode", Poll.Mode.ELECTRONIC),
                kept={code: post.get(f"keep_{code}", "") for code in units},
            )
    except DomainError as error:
        _errors(request, error)
        return _conference_page(request, cycle, found, manage=True, draft=_draft(post))
    messages.success(request, _("Đã tạo cuộc bỏ phiếu."))
    return redirect(_home(cycle))


@require_POST
@cycle_view(Action.RECORD_HANDOVER)
def hand_over(request, cycle: Cycle):
    try:
        services.hand_over_from_vote(actor=request.user, conference=_conference(cycle))
    except DomainError as error:
        _errors(request, error)
    else:
        messages.success(request, _("Đã ghi nhận bàn giao cụm trưởng, cụm phó theo kết quả bầu."))
    return redirect(_home(cycle))


def _poll(cycle: Cycle, poll_code: str) -> Poll:
    poll = selectors.poll_by_code(_conference(cycle), poll_code)
    if poll is None:
        raise Http404(_("Không có cuộc bỏ phiếu này."))
    return poll


def _ballot_from(post, poll: Poll) -> core.Ballot:
    codes = [candidate.unit.code for candidate in poll.candidates.all()]
    if poll.rules.get("kind") == core.Kind.APPROVAL:
        answers = {}
        for unit in codes:
            value = post.get(f"a_{unit}", core.Answer.ABSTAIN)
            answers[unit] = (
                core.Answer(value)
                if value in core.Answer.__members__.values()
                else core.Answer.ABSTAIN
            )
        return core.Ballot(answers=answers)
    return core.Ballot(choices=tuple(code for code in post.getlist("choice") if code))


#: A score box holding something other than a whole number (the page's and the phone's words)
SCORE_NOT_NUMBER = gettext_noop("Điểm phải là số nguyên (đã nhập “%(text)s”).")


def _score_number(text: str) -> int:
    """A score as typed: a whole number, or a refusal that says so."""
    try:
        return int(text.strip())
    except ValueError:
        raise DomainError(
            [
                Problem(
                    "score_not_number",
                    SCORE_NOT_NUMBER,
                    {"text": text.strip()[:20]},
                    "scores",
                )
            ]
        ) from None


def _typed_scores(post, poll: Poll) -> ScoreBallot:
    """The ballot page's inputs (`s_<unit>_<group>`): a unit left blank is not scored; the
    own unit is the cast's to add, from the delegate record."""
    groups = len(selectors.score_rules(poll).groups)
    scores = {}
    for candidate in poll.candidates.all():
        code = candidate.unit.code
        typed = [post.get(f"s_{code}_{index}", "").strip() for index in range(groups)]
        if any(typed):
            scores[code] = tuple(_score_number(text) for text in typed)
    return ScoreBallot(scores)


def _candidate_notes(cycle: Cycle, poll: Poll, candidates: list) -> dict[int, str]:
    """Beside each candidate: its rank in this year's scoring and its past awards, and for a
    title that requires leading the cluster, or that another title excludes (one flag a
    year), whether it does."""
    results = scoring_selectors.summary(cycle)
    ranks = {unit.pk: result.rank for unit, result in results.ranking} if results else {}
    # the register of titles: the units' lines of earlier years (proposed, awarded or not)
    awards = org_selectors.titles_by_unit([c.unit for c in candidates], before=cycle.year)
    titles = (
        {t.code: t for t in voting_rules.titles(cycle.rule_set)}
        if cycle.rule_set.data.get("voting")
        else {}
    )
    title = titles.get(poll.title_code)
    needed = title.requires_rank if title else None
    instead = (
        selectors.nominated_instead(cycle, selectors.polls_of(poll.conference), poll.title_code)
        if title
        else {}
    )
    verdicts = selectors.eligibility(cycle, poll.title_code, [c.unit for c in candidates])
    notes = {}
    for candidate in candidates:
        parts = []
        verdict = verdicts.get(candidate.unit_id)
        if verdict is not None and verdict.status != Status.ELIGIBLE:
            parts.append(
                f"{_(STATUS_LABELS[verdict.status]).lower()}: "
                + " ".join(reason.render(_) for reason in verdict.reasons)
            )
        if candidate.kept_reason:
            parts.append(
                _("giữ trong danh sách vì: %(reason)s") % {"reason": candidate.kept_reason}
            )
        rank = ranks.get(candidate.unit_id)
        if rank is not None:
            parts.append(_("xếp thứ %(rank)s khi chấm điểm") % {"rank": rank})
            if needed is not None and rank > needed:
                parts.append(_("chưa dẫn đầu cụm"))
        if candidate.unit.code in instead:
            parts.append(
                _("đã được đề nghị “%(title)s” (mỗi năm một cờ)")
                % {"title": instead[candidate.unit.code]}
            )
        parts += [
            f"{register.state_label(award).lower()} {award.title} {award.year}"
            for award in awards.get(candidate.unit_id, [])
        ]
        notes[candidate.pk] = "; ".join(parts)
    return notes


def _tally_row(poll: Poll, candidate, refusal, names: dict[str, str]) -> dict:
    """A candidate's line of the result: votes, share, and in words what it means — elected,
    not nominated because a title rule refuses it (with the reason, never "Trúng cử"),
    tied for the last seat, above the threshold but outside the seats, or not elected — and,
    for every candidate who did not win, why, with the figures."""
    result, code = poll.result, candidate.unit.code
    votes = result["votes"].get(code, 0)
    standing = core.standing_of(code, result)
    if standing == core.Standing.WON:
        outcome = "refused" if refusal is not None else "elected"
    else:
        outcome = {
            core.Standing.RUNOFF: "runoff",
            core.Standing.OUTSIDE_SEATS: "outside_seats",
        }.get(standing, "not_elected")
    return {
        "unit": candidate.unit,
        "note": candidate.note,
        "votes": votes,
        "noes": result["noes"].get(code, 0),
        "share": votes * 100 / result["base_count"] if result["base_count"] else None,
        "outcome": outcome,
        # the same word as the vote-count minutes (a title: "được đề nghị", never "trúng cử")
        "word": _(core.outcome_word(poll.effect, standing, refusal is not None)),
        "refusal": refusal,
        "why": core.why(code, result, int(poll.rules["seats"]), names),
    }


@cycle_view(Action.VIEW_CONFERENCE)
def poll(request, cycle: Cycle, poll_code: str):
    """The ballot on a phone (choose, confirm, cast, receipt); counting; results."""
    found = _poll(cycle, poll_code)
    me = selectors.delegate_for(request.user, found.conference)
    candidates = list(found.candidates.all())
    for candidate, note in zip(
        candidates, _candidate_notes(cycle, found, candidates).values(), strict=True
    ):
        candidate.note = note
    names = {c.unit.code: c.unit.name for c in candidates}
    if selectors.is_score(found):
        return _score_poll(request, cycle, found, me, names)
    context = {
        "cycle": cycle,
        "poll": found,
        "candidates": candidates,
        "rules": selectors.core_rules(found),
        "rule_sentence": selectors.core_rules(found).describe(found.effect),
        "me": me,
        "mine": selectors.my_votes(found.conference, me).get(found.pk),
        "has_voted": selectors.has_voted(found, me),
        "electors": selectors.electors_of(found) if found.status != Poll.Status.DRAFT else [],
        "can_vote": can(request.user, Action.CAST_BALLOT, cycle) and me is not None,
        "count": can(request.user, Action.COUNT_BALLOTS, cycle),
        "manage": can(request.user, Action.MANAGE_CONFERENCE, cycle),
        "approval": found.rules.get("kind") == core.Kind.APPROVAL,
        "answers": list(core.Answer),
    }
    if found.sealed and found.status == Poll.Status.OPEN and context["can_vote"]:
        context["sealed_ballot"] = _sealed_ballot(found, names)
    if request.method == "POST":
        require(request.user, Action.CAST_BALLOT, cycle)
        if found.sealed:
            return _plaintext_refused(request, "voting/poll.html", context)
        ballot = _ballot_from(request.POST, found)
        for candidate in candidates:  # a refused or reconsidered ballot keeps its ticks
            candidate.ticked = candidate.unit.code in ballot.choices
            candidate.answer = (ballot.answers or {}).get(candidate.unit.code, core.Answer.ABSTAIN)
        if request.POST.get("step") == "change":
            return render(request, "voting/poll.html", context)
        problem = core.check(ballot, context["rules"])
        if problem is not None:
            context["problem"] = problem
            return render(request, "voting/poll.html", context, status=400)
        if request.POST.get("step") != "cast":
            context["confirm"] = ballot
            context["confirm_names"] = (
                [f"{names[u]}: {a.value}" for u, a in ballot.answers.items()]
                if ballot.answers
                else [names[u] for u in ballot.choices]
            )
            return render(request, "voting/confirm.html", context)
        return cast(request, cycle.cluster.code, cycle.year, poll_code)
    if found.status == Poll.Status.VOID:
        context["void_reasons"] = selectors.void_reasons(found)
        context["revoted"] = selectors.revote_of(found)
        names = {c.unit.code: c.unit.name for c in candidates}
        context["published"] = selectors.published(found, names)
    if found.status == Poll.Status.CLOSED:
        context["result"] = found.result
        refused = (
            selectors.refused_nominees(cycle, selectors.polls_of(found.conference))
            if found.purpose == Poll.Purpose.TITLE and found.title_code
            else {}
        )
        context["tally_rows"] = [
            _tally_row(found, c, refused.get((found.title_code, c.unit.code)), names)
            for c in candidates
        ]
        context["runoff_names"] = [
            names.get(u, u) for u in ((found.result.get("runoff") or {}).get("candidates") or [])
        ]
        context["published"] = selectors.published(found, names)
        context["base_label"] = core.BASE_LABELS[core.Base(found.result["base"])]
    if found.sealed:
        context.update(_sealed_board(request.user, found))
    if context["count"] and found.status == Poll.Status.OPEN:
        context["absent"] = [
            d for d in selectors.delegates_of(found.conference) if d.checked_in_at is None
        ]
        context["mismatches"] = (
            services.paper_mismatches(found) if found.mode == Poll.Mode.PAPER else None
        )
    return render(request, "voting/poll.html", context)


def _score_poll(request, cycle: Cycle, found: Poll, me, names: dict[str, str]):
    """A score poll's page: the delegate's ballot (a number per candidate and criteria group,
    their own unit greyed), its confirmation, and once counted the ranking for everyone."""
    context = {
        "cycle": cycle,
        "poll": found,
        "me": me,
        "sentence": selectors.score_rules_sentence(found.rules),
        "groups": found.rules.get("groups") or [found.rules.get("maximum", 100)],
        "mine": selectors.my_votes(found.conference, me).get(found.pk),
        "has_voted": selectors.has_voted(found, me),
        "electors": selectors.electors_of(found) if found.status != Poll.Status.DRAFT else [],
        "can_vote": can(request.user, Action.CAST_BALLOT, cycle) and me is not None,
        "count": can(request.user, Action.COUNT_BALLOTS, cycle),
        "rows": selectors.score_rows(found, me, {}),
    }
    if found.sealed and found.status == Poll.Status.OPEN and context["can_vote"]:
        context["sealed_ballot"] = _sealed_scores(found, names, me.unit.code)
    if request.method == "POST":
        require(request.user, Action.CAST_BALLOT, cycle)
        if found.sealed:
            return _plaintext_refused(request, "voting/score_poll.html", context)
        context["rows"] = selectors.score_rows(found, me, request.POST)
        if request.POST.get("step") == "change":
            return render(request, "voting/score_poll.html", context)
        try:
            ballot = _typed_scores(request.POST, found)
        except DomainError as error:
            context["problem"] = error.problems[0]
            return render(request, "voting/score_poll.html", context, status=400)
        own = me.unit.code if me is not None else None
        problem = score_ballots.check(ScoreBallot(ballot.scores, own), selectors.score_rules(found))
        if problem is not None:
            context["problem"] = selectors.named_problem(problem)
            return render(request, "voting/score_poll.html", context, status=400)
        context["confirm"] = [
            (code, names.get(code, code), "+".join(str(p) for p in parts), sum(parts))
            for code, parts in ballot.scores.items()
        ]
        context["typed"] = [(k, v) for k, v in request.POST.items() if k.startswith("s_")]
        return render(request, "voting/score_confirm.html", context)
    if found.status == Poll.Status.VOID:
        context["void_reasons"] = selectors.void_reasons(found)
    if found.status == Poll.Status.CLOSED:
        context["result"] = found.result
        context["standings"] = [
            {**row, "name": names.get(row["unit"], row["unit"])}
            for row in found.result["standings"]
        ]
        titles = {t.code: t.name for t in voting_rules.titles(cycle.rule_set)}
        nominations = found.result.get("nominations") or {}
        context["nominees"] = [
            (titles.get(code, code), [names.get(u, u) for u in units])
            for code, units in nominations.get("nominees", {}).items()
        ]
        context["ties"] = [
            (titles.get(code, code), [names.get(u, u) for u in units])
            for code, units in nominations.get("ties", {}).items()
        ]
        context["published"] = selectors.published(found, names)
    if context["count"] and found.status == Poll.Status.OPEN and found.mode == Poll.Mode.PAPER:
        context["mismatches"] = services.paper_mismatches(found)
        # the pile as totals, unless the rule set's trimmed mean needs every ballot (§5)
        context["by_totals"] = not selectors.score_rules(found).trimmed
        context["sheet_entries"] = selectors.sheet_entries(found)
    if found.sealed:
        context.update(_sealed_board(request.user, found))
    return render(request, "voting/score_poll.html", context)


def _sealed_ballot(poll: Poll, names: dict[str, str]) -> dict:
    """What the phone needs to choose, confirm and encrypt on its own (docs/ballot-crypto.md
    §4): each selection's name, and the refusals it shows before encrypting, worded as the
    server words them for a plain ballot. The choices themselves never reach the server."""
    form = crypto.Form.from_json(poll.form)
    words = {"choice": "", "yes": _("Đồng ý"), "no": _("Không đồng ý")}
    shown = []
    for label in form.selections:
        kind, _sep, code = label.partition(":")
        name = names.get(code, code)
        shown.append(_("Phiếu trắng") if label == crypto.BLANK else f"{name} {words[kind]}".strip())
    return {"names": shown, "messages": _sealed_messages()}


def _sealed_scores(poll: Poll, names: dict[str, str], own: str) -> dict:
    """The same for an encrypted score poll (docs/score-ballot-crypto.md §2): each selection's
    unit (a challenged ballot is shown as scores again), and the own unit the phone proves it
    skips (§4)."""
    form = selectors.sealed_form(poll.form)
    shown = [names.get(label.split(":")[1], label) for label in form.selections]
    return {"names": shown, "own": own, "messages": _sealed_messages()}


def _sealed_messages() -> dict[str, str]:
    return {code: _(text) for code, text in SEALED_MESSAGES.items()}


#: What the phone of an encrypted poll says when a ballot would be invalid: the same words as
#: the server's checks of a plain ballot (core.ballots.check, core.score_ballots.check).
SEALED_MESSAGES = {
    "too_many_choices": core.MESSAGES["too_many_choices"],
    "blank": core.MESSAGES["blank"],
    "score_not_number": SCORE_NOT_NUMBER,
    "groups": score_ballots.MESSAGES["groups"],
    "range": score_ballots.MESSAGES["range"],
    "missing": score_ballots.MESSAGES["missing"],
    "invalid": gettext_noop("Phiếu không hợp lệ"),
}


def _plaintext_refused(request, template: str, context: dict):
    """A plain choice posted to an encrypted poll: refused, and not shown back (the phone
    encrypts the choice itself; a page that sends it has been tampered with)."""
    context["problem"] = Problem(
        "sealed_plaintext",
        gettext_noop(
            "Cuộc bỏ phiếu này dùng phiếu mã hóa: lựa chọn được mã hóa ngay trên điện thoại, "
            "không gửi lên máy chủ. Hãy bật JavaScript và chọn lại trên trang này."
        ),
    )
    return render(request, template, context, status=400)


def _sealed_board(user, poll: Poll) -> dict:
    """An encrypted poll's page: the board's trackers once the box is closed, and for a
    member holding a part of the key, what their device needs to decrypt its part."""
    ceremony = poll.ceremony
    trustee = selectors.trustee_for(user, ceremony)
    decrypted = selectors.decrypted_by(poll)
    return {
        "sealed": True,
        "ceremony": ceremony,
        "trustee": trustee,
        "trackers": [
            (crypto.shown_tracker(tracker), tracker)
            for tracker in sorted(b["tracker"] for b in selectors.sealed_ballots(poll))
        ]
        if poll.sealed_tally is not None
        else [],
        "parts": len(decrypted),
        "decrypted": trustee is not None and trustee.pk in decrypted,
    }


@cycle_view()
def board_key(request, cycle: Cycle):
    """The board's key (docs/ballot-crypto.md §2): the secretary starts the ceremony; every
    reader follows it and sees the fingerprints; each member's own browser runs their steps
    through the API (thidua/board.js), their secrets kept on that device."""
    post = request.method == "POST"
    require(request.user, Action.MANAGE_CONFERENCE if post else Action.VIEW_CONFERENCE, cycle)
    found = _conference(cycle)
    if post:
        try:
            board.start_ceremony(
                actor=request.user,
                conference=found,
                trustees=selectors.board_of(found),
                threshold=int(request.POST.get("threshold", "0") or 0),
            )
        except ValueError:
            messages.error(request, _("Số thành viên cần để giải mã phải là số nguyên."))
        except DomainError as error:
            _errors(request, error)
        else:
            messages.success(request, _("Đã bắt đầu lễ tạo khóa của ban kiểm phiếu."))
        return redirect(reverse("board_key", args=[cycle.cluster.code, cycle.year]))
    ceremony = selectors.live_ceremony(found)
    trustees = selectors.trustees_of(ceremony) if ceremony else []
    me = next((t for t in trustees if t.delegate and t.delegate.user_id == request.user.pk), None)
    return render(
        request,
        "voting/board_key.html",
        {
            "cycle": cycle,
            "conference": found,
            "ceremony": ceremony,
            "trustees": trustees,
            "me": me,
            "sent": me is not None and selectors.has_sent(ceremony, me.index),
            "manage": can(request.user, Action.MANAGE_CONFERENCE, cycle),
            "board": selectors.board_of(found),
        },
    )


def _posted_ballot(post) -> core.Ballot | ScoreBallot:
    """The ballot as the confirmation page posts it: every candidate's answer (`a_<unit>`),
    every scored candidate's scores (`s_<unit>`: "40+30+15"), or the choices."""
    scores = {name[2:]: post[name] for name in post if name.startswith("s_")}
    if scores or "score" in post:
        return ScoreBallot(
            {
                unit: tuple(_score_number(p) for p in text.split("+"))
                for unit, text in scores.items()
            }
        )
    answers = {name[2:]: post[name] for name in post if name.startswith("a_")}
    if answers:
        known = set(core.Answer.__members__.values())
        return core.Ballot(
            answers={
                unit: core.Answer(value) if value in known else core.Answer.ABSTAIN
                for unit, value in answers.items()
            }
        )
    return core.Ballot(choices=tuple(code for code in post.getlist("choice") if code))


def _posted_sealed(post) -> devices.Sealed | None:
    """An encrypted poll's ballot as the phone's page posts it: its JSON in `sealed` (a
    value that is not a JSON object is sent on as empty, and refused by the protocol)."""
    if "sealed" not in post:
        return None
    try:
        data = json.loads(post["sealed"])
    except ValueError:
        data = {}
    return devices.Sealed(data if isinstance(data, dict) else {})


@login_not_required  # signed in all the same: the session's claim is checked by the cast
def cast(request, code: str, year: int, poll_code: str):
    """The phone's cast: the confirmed ballot with the phone's signature. Nothing is read for
    the page before the cast itself, the signed-in user included: the cast reads the user's
    row with its elector row and checks the session against it (three SQL statements on
    PostgreSQL). Refusals (not signed by this delegate's phone, closed, not an elector) say
    why; a session that no longer holds signs in again."""
    claim = SessionClaim.of(request)
    if claim is None:
        return redirect_to_login(request.get_full_path())
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    # the conference page, from the cast's own address (both under clusters/<code>/<year>/
    # conference/): `reverse` would cost a cast as much as rendering its receipt
    home = request.path.removesuffix(f"polls/{poll_code}/cast/")
    try:
        done = services.cast_at(
            actor=request.user,  # lazy: read only to explain a refusal
            cluster=code,
            year=year,
            poll_code=poll_code,
            ballot=_posted_sealed(request.POST) or _posted_ballot(request.POST),
            signature=request.POST.get("signature", ""),
            claim=claim,
        )
    except services.SessionEnded:
        request.user.is_authenticated  # noqa: B018 - Django's own check ends the session
        return redirect_to_login(request.get_full_path())
    except services.AlreadyVoted as error:
        return _receipt_page({"home": home, "already": error.messages()[0]}, status=409)
    context = {
        "home": home,
        "poll_code": poll_code,
        "title": done.poll_title,
        "receipt": done.receipt,
        "tracker": crypto.shown_tracker(done.receipt) if len(done.receipt) == 64 else "",
    }
    return _receipt_page(context)


_RECEIPT_FIELDS = ("home", "poll_code", "title", "receipt", "tracker", "already")


def _receipt_page(context: dict, status: int = 200) -> HttpResponse:
    """The page after a cast. It shows nothing from the session, the user or the messages,
    and its text depends only on the language and on which fields it has: so the template is
    rendered once per language and shape, with a marker for each field, and each cast only
    puts its escaped values in (rendering it every time was a tenth of a cast's work)."""
    shape = tuple(bool(context.get(name)) for name in _RECEIPT_FIELDS)
    parts = _receipt_skeleton(translation.get_language(), shape)
    page = "".join(
        conditional_escape(context[part]) if index % 2 else part for index, part in enumerate(parts)
    )
    return HttpResponse(page, status=status)


@functools.cache
def _receipt_skeleton(language: str, shape: tuple[bool, ...]) -> tuple[str, ...]:
    """The receipt page cut at its fields: text at even places, a field's name at odd ones."""
    markers = {
        name: f"\x00{name}\x00" if present else ""
        for name, present in zip(_RECEIPT_FIELDS, shape, strict=True)
    }
    page = get_template("voting/receipt.html").render({**markers, "LANGUAGE_CODE": language})
    return tuple(page.split("\x00"))


@require_POST
@cycle_view()
def device_key(request, cycle: Cycle):
    """The phone registers its device key (first use, when it did not sign in by QR code)."""
    services.register_device_key(
        actor=request.user,
        conference=_conference(cycle),
        public_key=request.POST.get("public_key", ""),
    )
    return HttpResponse(status=204)


@require_http_methods(["GET", "POST"])
@cycle_view()
def poll_action(request, cycle: Cycle, poll_code: str, action: str):
    """Open, close (after a confirmation page), or start a runoff."""
    found = _poll(cycle, poll_code)
    if action in ("open", "close", "runoff", "revote"):
        require(
            request.user,
            Action.MANAGE_CONFERENCE if action == "runoff" else Action.COUNT_BALLOTS,
            cycle,
        )
    if action == "close" and request.POST.get("confirm") != "1":
        return _confirm_close(request, cycle, found)
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    actions = {
        "open": lambda: services.open_poll(actor=request.user, poll=found),
        "close": lambda: services.close_poll(actor=request.user, poll=found),
        "runoff": lambda: services.create_runoff(actor=request.user, poll=found),
        "revote": lambda: services.revote(
            actor=request.user, poll=found, reason=request.POST.get("reason", "")
        ),
    }
    if action not in actions:
        raise Http404
    try:
        result = actions[action]()
    except DomainError as error:
        _errors(request, error)
        return redirect(reverse("poll", args=[cycle.cluster.code, cycle.year, poll_code]))
    if action in ("runoff", "revote"):
        messages.success(request, _("Đã tạo cuộc bầu lại."))
        return redirect(reverse("poll", args=[cycle.cluster.code, cycle.year, result.code]))
    return redirect(reverse("poll", args=[cycle.cluster.code, cycle.year, poll_code]))


def _confirm_close(request, cycle: Cycle, poll: Poll):
    """Closing counts the poll for good: first the turnout (counts only, never who) and what
    closing now would mean, then a second, deliberate POST."""
    if poll.status != Poll.Status.OPEN:
        messages.error(request, _("Cuộc bỏ phiếu không đang mở."))
        return redirect(reverse("poll", args=[cycle.cluster.code, cycle.year, poll.code]))
    return render(
        request,
        "voting/close_confirm.html",
        {"cycle": cycle, "poll": poll, "turnout": selectors.closing_turnout(poll)},
    )


def _parse_score_pile(text: str) -> list[ScoreBallot]:
    """One line per paper score ballot: the unit it was handed to (greyed on it), a colon,
    then each scored unit's scores: "lao-cai: ha-giang=40+30+15, cao-bang=45+25+10"."""
    ballots = []
    for line in text.splitlines():
        own, _sep, rest = line.strip().partition(":")
        if not own.strip():
            continue
        scores = {}
        for part in rest.split(","):
            unit, _eq, value = part.partition("=")
            if unit.strip():
                scores[unit.strip()] = tuple(_score_number(p) for p in value.split("+"))
        ballots.append(ScoreBallot(scores, own_unit=own.strip()))
    return ballots


def _parse_pile(text: str, poll: Poll) -> list[core.Ballot] | list[ScoreBallot]:
    """One line per paper ballot: the ticked unit codes, comma-separated ("-" for blank);
    for a yes/no vote: "code:yes, code:no"; for a score poll, `_parse_score_pile`."""
    if selectors.is_score(poll):
        return _parse_score_pile(text)
    ballots = []
    for line in text.splitlines():
        line = line.strip()
        if not line:
            continue
        parts = [] if line == "-" else [part.strip() for part in line.split(",") if part.strip()]
        if poll.rules.get("kind") == core.Kind.APPROVAL:
            answers = {}
            for part in parts:
                unit, _sep, answer = part.partition(":")
                answers[unit.strip()] = (
                    core.Answer(answer.strip())
                    if answer.strip() in core.Answer.__members__.values()
                    else core.Answer.ABSTAIN
                )
            ballots.append(core.Ballot(answers=answers))
        else:
            ballots.append(core.Ballot(choices=tuple(parts)))
    return ballots


def _sheet_cell(value: str) -> int | str:
    """A figure of the totals sheet: an empty cell is 0; what is not a whole number is kept
    as typed, for `core.score_ballots.sheet_problems` to name."""
    value = value.strip()
    if not value:
        return 0
    return int(value) if value.isdigit() else value


def _parse_sheet(post, poll: Poll) -> score_ballots.PaperSheet:
    """The totals sheet of a score poll's paper pile as the board typed it: the three counts,
    then per candidate and criteria group `t_<unit>_<group>` and `c_<unit>_<group>`."""
    groups = range(len(selectors.score_rules(poll).groups))
    codes = [c.unit.code for c in poll.candidates.select_related("unit")]
    return score_ballots.PaperSheet(
        returned=_sheet_cell(post.get("returned", "")),
        invalid=_sheet_cell(post.get("invalid", "")),
        valid=_sheet_cell(post.get("valid", "")),
        total={u: tuple(_sheet_cell(post.get(f"t_{u}_{g}", "")) for g in groups) for u in codes},
        count={u: tuple(_sheet_cell(post.get(f"c_{u}_{g}", "")) for g in groups) for u in codes},
    )


@require_POST
@cycle_view()
def paper_entry(request, cycle: Cycle, poll_code: str):
    found = _poll(cycle, poll_code)
    require(request.user, Action.COUNT_BALLOTS, cycle)
    if request.POST.get("sheet"):
        return _paper_sheet(request, cycle, found)
    try:
        entry, issued = _entry_and_issued(request.POST)
        services.save_paper_entry(
            actor=request.user,
            poll=found,
            entry=entry,
            ballots=_parse_pile(request.POST.get("pile", ""), found),
            issued=issued,
        )
    except ValueError:
        messages.error(request, _("Số phiếu phát ra và lần nhập phải là số nguyên."))
    except DomainError as error:
        _errors(request, error)
    else:
        messages.success(request, _("Đã lưu lần nhập phiếu giấy."))
    return redirect(reverse("poll", args=[cycle.cluster.code, cycle.year, poll_code]))


def _entry_and_issued(post) -> tuple[int, int]:
    """Which of the two entries of the paper pile this is, and the ballots issued (ValueError
    when either is not what a form can hold)."""
    entry, issued = int(post.get("entry", "1")), int(post.get("issued", "0"))
    if entry not in (1, 2) or issued < 0:
        raise ValueError
    return entry, issued


def _paper_sheet(request, cycle: Cycle, poll: Poll):
    """A score poll's paper pile entered as totals: the first entry, or the second member's
    confirming one (refused, and not saved, where a figure differs)."""
    try:
        entry, issued = _entry_and_issued(request.POST)
        services.save_score_sheet(
            actor=request.user,
            poll=poll,
            entry=entry,
            sheet=_parse_sheet(request.POST, poll),
            issued=issued,
        )
    except Refused as refused:  # the same member cannot confirm their own entry
        messages.error(request, refused.message())
    except ValueError:
        messages.error(request, _("Số phiếu phát ra và lần nhập phải là số nguyên."))
    except DomainError as error:
        _errors(request, error)
    else:
        messages.success(
            request,
            _("Đã lưu lần nhập thứ nhất; chờ thành viên thứ hai nhập lại để xác nhận.")
            if entry == 1
            else _("Đã lưu lần nhập thứ hai: hai lần nhập khớp nhau."),
        )
    return redirect(reverse("poll", args=[cycle.cluster.code, cycle.year, poll.code]))


@require_POST
@cycle_view()
def written(request, cycle: Cycle, poll_code: str):
    found = _poll(cycle, poll_code)
    require(request.user, Action.COUNT_BALLOTS, cycle)
    delegate = found_or_404(selectors.delegate_in(cycle, request.POST.get("delegate")))
    try:
        services.record_written(
            actor=request.user,
            poll=found,
            delegate=delegate,
            ballot=_ballot_from(request.POST, found),
        )
    except DomainError as error:
        _errors(request, error)
    else:
        messages.success(request, _("Đã ghi nhận ý kiến bằng văn bản."))
    return redirect(reverse("poll", args=[cycle.cluster.code, cycle.year, poll_code]))


@cycle_view(Action.VIEW_CONFERENCE)
def receipt(request, cycle: Cycle, poll_code: str):
    """The receipt as a small text file the delegate keeps (nothing is stored about who)."""
    found = _poll(cycle, poll_code)
    value = "".join(ch for ch in request.GET.get("code", "") if ch.isalnum())[:64]
    label = _("Mã biên nhận")
    explanation = _("Sau khi kiểm phiếu, mã này có trong danh sách công bố nếu phiếu đã được tính.")
    text = (
        f"{found.conference.cycle.title} – {found.conference.cycle.year}\n"
        f"{found.title}\n{label}: {value}\n{explanation}\n"
    )
    response = HttpResponse(text, content_type="text/plain; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="bien-nhan-{found.code}.txt"'
    return response


@cycle_view(Action.VIEW_CONFERENCE)
def run_of_show(request, cycle: Cycle):
    """The agenda for the chair and the secretary, step by step, each step linked to the page
    where it is done, next to the projector screen."""
    found = _conference(cycle)
    here = (cycle.cluster.code, cycle.year)
    conference_page = reverse("conference", args=here)
    # who runs the hall edits the details on their page; the others read them on the
    # conference page
    manage = can(request.user, Action.MANAGE_CONFERENCE, cycle)
    details = reverse("conference_details", args=here) if manage else conference_page
    links = {
        "details": details,
        "delegates": f"{conference_page}#delegates",
        "board": reverse("board_key", args=here),
        "results": reverse("results", args=here),
        "handover": f"{conference_page}#handover",
        "details-closing": f"{details}#id_conclusions" if manage else details,
        "documents": reverse("documents", args=here),
    }
    steps = [
        {
            "step": step,
            "link": reverse("poll", args=(*here, step.key.removeprefix("poll:")))
            if step.key.startswith("poll:")
            else links[step.key],
        }
        for step in selectors.run_of_show(cycle, found)
    ]
    return render(
        request,
        "voting/run_of_show.html",
        {
            "cycle": cycle,
            "conference": found,
            "steps": steps,
        },
    )


@cycle_view(Action.VIEW_CONFERENCE)
def screen(request, cycle: Cycle):
    """For the projector: turnout while voting (never partial results), results after."""
    found = _conference(cycle)
    rows = []
    polls = selectors.polls_of(found)
    refused = selectors.refused_nominees(cycle, polls)
    for item in polls:
        names = {
            candidate.unit.code: candidate.unit.short_name for candidate in item.candidates.all()
        }
        result = item.result or {}
        rows.append(
            {
                "poll": item,
                "voted": item.voted,
                "word": _(core.EFFECT_WORDS[item.effect][0]),
                "winners": [
                    names.get(code, code)
                    for code in result.get("winners", [])
                    if (item.title_code, code) not in refused
                ],
                "not_nominated": [
                    names.get(code, code)
                    for code in result.get("winners", [])
                    if (item.title_code, code) in refused
                ],
                "runoff": [
                    names.get(code, code)
                    for code in (result.get("runoff") or {}).get("candidates", [])
                ],
                "outside_seats": [
                    names.get(code, code)
                    for code in names
                    if result
                    and not selectors.is_score(item)
                    and core.standing_of(code, result) == core.Standing.OUTSIDE_SEATS
                ],
                # a score poll: the ranking, ties marked
                "ranking": [
                    (row["rank"], names.get(row["unit"], row["unit"]), row["shown"], row["tied"])
                    for row in result.get("standings", [])
                    if row["rank"]
                ],
            }
        )
    return render(
        request, "voting/screen.html", {"cycle": cycle, "conference": found, "rows": rows}
    )


@require_http_methods(["GET", "POST"])
@cycle_view(Action.MANAGE_CONFERENCE)
def conference_details(request, cycle: Cycle):
    """Date, place, agenda, chair and secretary of the conference (printed in the minutes),
    on a page of its own: the conference page, open on the secretary's laptop all day, does
    not carry thirteen fields nobody edits mid-vote; a refused form is shown again as typed,
    each error beside its field."""
    found = _conference(cycle)
    form = ConferenceForm(request.POST or None, initial=_details(found))
    if request.method == "POST" and form.is_valid():
        services.open_conference(actor=request.user, cycle=cycle, **form.cleaned_data)
        messages.success(request, _("Đã lưu thông tin hội nghị."))
        return redirect(_home(cycle))
    return render(
        request,
        "voting/conference_details.html",
        {"cycle": cycle, "conference": found, "form": form},
        status=400 if form.errors else 200,
    )


def _details(conference: Conference) -> dict:
    """The conference's details as the form's initial values."""
    return {name: getattr(conference, name) for name in ConferenceForm.base_fields}
