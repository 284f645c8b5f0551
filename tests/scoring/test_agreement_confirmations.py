"""The agreement is confirmed in the app by each member unit's director, for that unit only;
it is signed (and the planning phase gives way to "agreement signed") only when every member
confirmed the agreement as it stands or the leader's secretary recorded why not. Over HTTP."""

import pytest

from thidua.audit.models import AuditEntry
from thidua.core.phases import Phase
from thidua.core.record import AuditAction
from thidua.errors import StateConflict
from thidua.org import services as org_services
from thidua.scoring import selectors, services
from thidua.scoring.models import Agreement, Confirmation

pytestmark = pytest.mark.django_db

BASE = "/clusters/cum-2/2021/agreement"
MEMBERS = ["ha-giang", "dien-bien", "lai-chau", "lang-son", "lao-cai", "son-la", "cao-bang"]


def director(code: str) -> str:
    return f"{code.replace('-', '')}.giamdoc"


@pytest.fixture
def drafted(cycle, get_user):
    """Cụm II 2021 (led by Lào Cai) in planning, last year's agreement copied: ready to sign
    but for the confirmations."""
    services.copy_agreement(
        actor=get_user("laocai.thuky"), cycle=cycle("cum-2", 2021), source=cycle("cum-2", 2020)
    )
    return cycle("cum-2", 2021)


def confirm(client_for, code: str, as_code: str | None = None):
    return client_for(director(as_code or code)).post(f"{BASE}/confirm/{code}/")


def state_of(cycle, code: str) -> str:
    agreement = Agreement.objects.get(cycle=cycle)
    rows = selectors.confirmations(agreement, list(cycle.members.order_by("code")))
    return next(row.state for row in rows if row.unit.code == code)


def test_the_director_confirms_their_own_unit(drafted, client_for, get_user):
    response = confirm(client_for, "son-la")
    assert response.status_code == 302
    row = Confirmation.objects.get(agreement__cycle=drafted, unit__code="son-la")
    assert row.confirmed_by == get_user("sonla.giamdoc")
    assert row.confirmed_at is not None
    assert row.digest == selectors.agreement_digest(Agreement.objects.get(cycle=drafted))
    entry = AuditEntry.objects.filter(action=AuditAction.AGREEMENT_CONFIRM).latest("pk")
    assert entry.actor == "sonla.giamdoc"
    page = client_for("sonla.giamdoc").get(f"{BASE}/").content.decode()
    section = page[page.index('id="confirm-son-la"') :]
    assert "Đã xác nhận" in section[: section.index("</tr>")]
    assert get_user("sonla.giamdoc").display_name in section[: section.index("</tr>")]
    # the other units are still waited for
    assert state_of(drafted, "lai-chau") == selectors.ConfirmationState.MISSING


def test_a_director_cannot_confirm_another_unit(drafted, client_for):
    entries = AuditEntry.objects.count()
    response = confirm(client_for, "lai-chau", as_code="son-la")
    assert response.status_code == 403
    assert not Confirmation.objects.filter(agreement__cycle=drafted).exists()
    assert AuditEntry.objects.count() == entries
    # the page offers Sơn La's director the button for Sơn La only
    page = client_for("sonla.giamdoc").get(f"{BASE}/").content.decode()
    assert f"{BASE}/confirm/son-la/" in page
    assert f"{BASE}/confirm/lai-chau/" not in page


@pytest.mark.parametrize("username", ["laocai.thuky", "sonla.thuky", "sonla.canbo", "admin"])
def test_a_secretary_or_officer_cannot_confirm_for_a_unit(drafted, client_for, username):
    code = "lao-cai" if username == "laocai.thuky" else "son-la"
    response = client_for(username).post(f"{BASE}/confirm/{code}/")
    assert response.status_code == 403
    assert not Confirmation.objects.filter(agreement__cycle=drafted).exists()


def test_an_edit_after_confirmation_needs_a_new_confirmation(drafted, client_for):
    assert confirm(client_for, "son-la").status_code == 302
    assert state_of(drafted, "son-la") == selectors.ConfirmationState.CONFIRMED
    # the leader's secretary changes Sơn La's target for II.1
    secretary = client_for("laocai.thuky")
    form = {
        f"t_{unit}_{code}": format(value.normalize(), "f").replace(".", ",")
        for (unit, code), value in selectors.targets_of(
            Agreement.objects.get(cycle=drafted)
        ).items()
    }
    form["t_son-la_II.1"] = "12"
    assert secretary.post(f"{BASE}/targets/", form).status_code == 302
    assert state_of(drafted, "son-la") == selectors.ConfirmationState.STALE
    page = secretary.get(f"{BASE}/").content.decode()
    row = page[page.index('id="confirm-son-la"') :]
    assert "Cần xác nhận lại" in row[: row.index("</tr>")]
    # confirming again confirms the new text
    assert confirm(client_for, "son-la").status_code == 302
    assert state_of(drafted, "son-la") == selectors.ConfirmationState.CONFIRMED


def test_signing_waits_for_every_confirmation_or_a_reason(drafted, client_for, cycle, get_user):
    for code in MEMBERS[:-1]:
        assert confirm(client_for, code).status_code == 302
    secretary = client_for("laocai.thuky")
    response = secretary.post(f"{BASE}/sign/", follow=True)
    assert "Cao Bằng" in response.content.decode()
    assert Agreement.objects.get(cycle=drafted).signed_at is None
    current = cycle("cum-2", 2021)
    assert (current.phase, current.phase_is_open) == (Phase.PLANNING, True)
    # the plain phase buttons cannot go round it either
    current = org_services.close_phase(
        actor=get_user("laocai.thuky"), cycle=current, phase=Phase.PLANNING
    )
    with pytest.raises(StateConflict):
        org_services.open_phase(
            actor=get_user("laocai.thuky"), cycle=current, phase=Phase.AGREEMENT
        )
    org_services.reopen_phase(
        actor=get_user("laocai.thuky"), cycle=current, phase=Phase.PLANNING, reason="Chờ xác nhận"
    )
    # a reason is mandatory
    assert secretary.post(f"{BASE}/excuse/cao-bang/", {"reason": "  "}).status_code == 302
    assert state_of(drafted, "cao-bang") == selectors.ConfirmationState.MISSING
    assert secretary.post(f"{BASE}/sign/").status_code == 302
    assert Agreement.objects.get(cycle=drafted).signed_at is None
    # with the reason recorded, the agreement is signed and the phase moves on
    reason = {"reason": "Giám đốc đi công tác, Phó Giám đốc phụ trách chưa được ủy quyền"}
    assert secretary.post(f"{BASE}/excuse/cao-bang/", reason).status_code == 302
    assert state_of(drafted, "cao-bang") == selectors.ConfirmationState.EXCUSED
    assert secretary.post(f"{BASE}/sign/").status_code == 302
    agreement = Agreement.objects.get(cycle=drafted)
    assert agreement.signed_at is not None
    assert sorted(unit.code for unit in agreement.approved_by.all()) == sorted(MEMBERS[:-1])
    current = cycle("cum-2", 2021)
    assert (current.phase, current.phase_is_open) == (Phase.AGREEMENT, True)


def test_signing_after_every_director_confirmed(drafted, client_for, cycle):
    for code in MEMBERS:
        assert confirm(client_for, code).status_code == 302
    assert client_for("laocai.thuky").post(f"{BASE}/sign/").status_code == 302
    assert Agreement.objects.get(cycle=drafted).signed_at is not None
    assert cycle("cum-2", 2021).phase == Phase.AGREEMENT
    # once signed, nothing can be confirmed any more (the phase is no longer planning)
    assert confirm(client_for, "son-la").status_code == 409


def test_a_director_who_is_not_a_member_this_year_cannot_confirm(drafted, client_for):
    response = client_for("hanoi.giamdoc").post(f"{BASE}/confirm/ha-noi/")
    assert response.status_code in (403, 404)
    assert not Confirmation.objects.filter(agreement__cycle=drafted).exists()


def test_the_director_can_take_the_confirmation_back(drafted, client_for):
    assert confirm(client_for, "son-la").status_code == 302
    head = client_for("sonla.giamdoc")
    assert head.post(f"{BASE}/confirm/son-la/", {"withdraw": "1"}).status_code == 302
    assert state_of(drafted, "son-la") == selectors.ConfirmationState.MISSING
    entry = AuditEntry.objects.filter(action=AuditAction.AGREEMENT_WITHDRAW).latest("pk")
    assert entry.actor == "sonla.giamdoc"
    # another unit's director cannot take it back for Sơn La
    assert confirm(client_for, "son-la").status_code == 302
    other = client_for("laichau.giamdoc")
    assert other.post(f"{BASE}/confirm/son-la/", {"withdraw": "1"}).status_code == 403
    assert state_of(drafted, "son-la") == selectors.ConfirmationState.CONFIRMED
