"""Each chain's head attested with a MAC keyed from SECRET_KEY (`audit.services.head_mac`):
a head changed in the database behind the app — re-hashed, cut back, its MAC blanked, its
row removed — stops every write to the chain and every seal of it, and says which chain."""

import importlib

import pytest
from django.apps import apps
from django.test import override_settings

from thidua.audit import services as audit_services
from thidua.audit.models import AuditEntry, AuditHead
from thidua.core.phases import Phase
from thidua.errors import StateConflict
from thidua.org import services

pytestmark = pytest.mark.django_db

CHAIN = "cum-2/2021"


@pytest.fixture
def close_planning(get_user, cycle):
    """A write to Cụm II 2021's chain through the app (its checkpoint signs the head)."""
    return lambda: services.close_phase(
        actor=get_user("laocai.thuky"), cycle=cycle("cum-2", 2021), phase=Phase.PLANNING
    )


def _refused(write) -> str:
    entries = AuditEntry.objects.count()
    with pytest.raises(StateConflict) as refusal:
        write()
    assert [problem.code for problem in refusal.value.problems] == ["chain_altered"]
    assert AuditEntry.objects.count() == entries
    return str(refusal.value)


def test_every_head_is_attested_as_written():
    heads = list(AuditHead.objects.all())
    assert {head.chain for head in heads} >= {"", "cum-1/2020", "cum-2/2020", CHAIN}
    for head in heads:
        assert head.mac == audit_services.head_mac(head.chain, head.count, head.hash)


def test_writes_go_on_and_keep_the_head_attested(close_planning):
    close_planning()
    head = AuditHead.objects.get(chain=CHAIN)
    last = AuditEntry.objects.filter(chain=CHAIN).latest("seq")
    assert (head.count, head.hash) == (last.seq, last.hash)
    assert head.mac == audit_services.head_mac(CHAIN, head.count, head.hash)


@pytest.mark.parametrize(
    "alter",
    [
        pytest.param(lambda head, entries: {"hash": "ab" * 32}, id="re-hashed"),
        pytest.param(
            lambda head, entries: {"count": entries[-3].seq, "hash": entries[-3].hash},
            id="cut-back",
        ),
        pytest.param(lambda head, entries: {"mac": ""}, id="mac-blanked"),
        pytest.param(lambda head, entries: {"mac": entries[-1].hash}, id="mac-made-up"),
    ],
)
def test_a_head_changed_in_the_database_stops_writes_and_seals(alter, close_planning):
    entries = list(AuditEntry.objects.filter(chain=CHAIN).order_by("seq"))
    head = AuditHead.objects.get(chain=CHAIN)
    AuditHead.objects.filter(pk=head.pk).update(**alter(head, entries))
    altered = AuditHead.objects.filter(pk=head.pk).values().get()
    message = _refused(close_planning)
    assert "“cum-2/2021”" in message
    assert "thidua restore" in message
    _refused(lambda: audit_services.seal(CHAIN))
    assert AuditHead.objects.filter(pk=head.pk).values().get() == altered  # not re-attested


def test_a_head_row_removed_is_not_started_again(close_planning):
    """Without its head the chain would start again at entry 1 beside the entries it has."""
    AuditHead.objects.filter(chain=CHAIN).delete()
    _refused(close_planning)
    assert not AuditHead.objects.filter(chain=CHAIN).exists()


def test_the_page_says_why_it_cannot_give_the_record(client_for):
    AuditHead.objects.filter(chain="cum-2/2020").update(mac="")
    page = client_for("hagiang.thuky").get("/clusters/cum-2/2020/record.json")
    assert page.status_code == 409
    assert "đã bị sửa ngoài ứng dụng" in page.content.decode()


def test_a_secret_key_rotated_with_its_fallback_keeps_the_chains(close_planning, settings):
    """Rotating: the old key kept as a fallback, a write goes on and attests under the new
    key; so does a seal (a backup seals every chain), after which the old key can go."""
    old, new = settings.SECRET_KEY, "a-new-key-" + "n" * 50
    with override_settings(SECRET_KEY=new, SECRET_KEY_FALLBACKS=[old]):
        close_planning()
        audit_services.seal("cum-2/2020")
    for chain in (CHAIN, "cum-2/2020"):
        head = AuditHead.objects.get(chain=chain)
        assert head.mac == audit_services.head_mac(chain, head.count, head.hash, new)
    with override_settings(SECRET_KEY=new, SECRET_KEY_FALLBACKS=[]):
        audit_services.seal("cum-2/2020")
        _refused(lambda: audit_services.seal("cum-1/2020"))  # never sealed while rotating


def test_another_installations_secret_key_is_refused(close_planning):
    """A database copied to a machine with another SECRET_KEY: its heads are not attested
    there (a backup restored with `thidua restore` is verified and attested instead)."""
    with override_settings(SECRET_KEY="another-installation-" + "x" * 50):
        _refused(close_planning)


def test_the_upgrade_attests_the_heads_it_finds(close_planning):
    """Heads written before `AuditHead.mac` existed are attested by its migration as they
    stand; the chains then go on."""
    AuditHead.objects.update(mac="")
    _refused(close_planning)
    migration = importlib.import_module("thidua.audit.migrations.0009_chain_head_mac")
    migration.attest(apps, None)
    test_every_head_is_attested_as_written()
    close_planning()
