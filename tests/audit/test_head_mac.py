"""Each chain's head attested with a MAC keyed from SECRET_KEY (`audit.services.head_mac`):
a head changed in the database behind the app — re-hashed, cut back, its MAC blanked, its
row removed — stops every write to the chain and every seal of it, and says which chain."""

import importlib

import pytest
from django.apps import apps
from django.db import connection, transaction
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
    """Without its head the chain would start again at entry 1 beside the entries it has,
    and an export would have no seal to give."""
    AuditHead.objects.filter(chain=CHAIN).delete()
    _refused(close_planning)
    assert not AuditHead.objects.filter(chain=CHAIN).exists()
    _refused(lambda: audit_services.seal(CHAIN))
    assert audit_services.seal("cum-9/2020") is None  # a chain that never had an entry


def _entry_after(chain: str, seq: int, **payload) -> AuditEntry:
    """A row put into the table by hand after `seq` (the model refuses only changes)."""
    last = AuditEntry.objects.filter(chain=chain, seq=seq).first()
    fields = {
        "at": AuditEntry.objects.latest("seq").at,
        "actor": "hagiang.thuky",
        "unit": "ha-giang",
        "cycle": chain,
        "action": "stats.report.submit",
        "object_type": "stats.report",
        "object_id": "x",
        "after": {},
        **payload,
    }
    return AuditEntry.objects.create(
        chain=chain,
        seq=seq + 1,
        prev_hash=last.hash if last else "0" * 64,
        hash=f"{seq + 1:064x}",
        **fields,
    )


def test_an_entry_put_after_the_head_stops_writes_and_seals(close_planning):
    head = AuditHead.objects.get(chain=CHAIN)
    _entry_after(CHAIN, head.count)
    _refused(close_planning)  # not an integrity error on the next number: refused, named
    _refused(lambda: audit_services.seal(CHAIN))


@pytest.mark.parametrize("chain", ["cum-9/2020", "cum-2/2020"], ids=["own-chain", "after-head"])
def test_entries_carried_from_another_chain_must_be_what_it_wrote(chain, cycle):
    """A cycle's chain copies the entries that wrote its inputs from other chains (its
    baseline's reports), and signs them there: a report entry put into the table — in a
    chain of its own, or after the head of the year it belongs to — is not carried."""
    report = AuditEntry.objects.filter(
        chain="cum-2/2020", action="stats.report.submit", object_id__endswith="/2020/Y"
    ).first()
    forged = {"object_id": report.object_id, "after": {**report.after, "forged": True}}
    head = AuditHead.objects.filter(chain=chain).first()
    entry = _entry_after(chain, head.count if head else 0, **forged)
    with pytest.raises(StateConflict) as refusal, transaction.atomic():
        services.carry_inputs(cycle("cum-2", 2021))
    assert f"“{chain}”" in str(refusal.value)
    assert not AuditEntry.objects.filter(origin__hash=entry.hash).exists()


def test_an_entry_edited_inside_the_source_chain_is_not_carried(cycle):
    """The source chain's head and its end as the app left them, an entry inside it edited
    in the database (not re-hashed): the next report entry written there through the app is
    not carried, since the chain it would be carried from no longer runs whole."""
    from thidua.org.authz import SYSTEM

    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ALTER TABLE audit_auditentry DISABLE TRIGGER audit_entry_append_only")
    reports = AuditEntry.objects.filter(
        chain="cum-2/2020", action="stats.report.submit", object_id__endswith="/2020/Y"
    ).order_by("seq")
    edited = reports.first()
    AuditEntry.objects.filter(pk=edited.pk).update(after={**edited.after, "edited": True})
    with transaction.atomic():
        audit_services.record(
            actor=SYSTEM,
            action="stats.report.submit",
            object_type="stats.report",
            object_id=edited.object_id,
            after=edited.after,
            cycle=cycle("cum-2", 2020),
        )
    with pytest.raises(StateConflict) as refusal, transaction.atomic():
        services.carry_inputs(cycle("cum-2", 2021))
    assert "“cum-2/2020”" in str(refusal.value)


def test_the_catalog_is_logged_in_the_chains_that_stand(cycle):
    """A catalog change logs it in every chain of this installation: one chain changed behind
    the app is left (and logged), the others get it, and nothing stops the admin's write."""
    from thidua.stats.models import Indicator

    AuditHead.objects.filter(chain="cum-2/2020").update(mac="")
    Indicator.objects.filter(code="clearance_rate").update(decimals=2)
    standing = AuditHead.objects.exclude(chain__in=["", "cum-2/2020"]).filter(mirror=False)
    assert audit_services.log_catalog() == standing.filter(count__gt=0).count() > 0
    assert not AuditEntry.objects.filter(
        chain="cum-2/2020", action="record.catalog", after__indicators__clearance_rate__decimals=2
    ).exists()


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
        _refused(audit_services.attest_rotated_heads)
    # what `thidua backup` runs first: every head, the installation's chain "" included
    with override_settings(SECRET_KEY=new, SECRET_KEY_FALLBACKS=[old]):
        audit_services.attest_rotated_heads()
    with override_settings(SECRET_KEY=new, SECRET_KEY_FALLBACKS=[]):
        for head in AuditHead.objects.filter(count__gt=0):
            assert head.mac == audit_services.head_mac(head.chain, head.count, head.hash), head
        audit_services.seal("")


def test_another_installations_secret_key_is_refused(close_planning):
    """A database copied to a machine with another SECRET_KEY: its heads are not attested
    there (a backup restored with `thidua restore` is verified and attested instead)."""
    with override_settings(SECRET_KEY="another-installation-" + "x" * 50):
        _refused(close_planning)


def test_the_upgrade_attests_the_heads_it_finds_once(close_planning, settings, tmp_path):
    """Heads written before `AuditHead.mac` existed are attested by its migration as they
    stand; the chains then go on. Made to run again (its row in `django_migrations` removed
    from a dump), it attests nothing: the installation's var/ says it did once."""
    settings.VAR_DIR = tmp_path
    AuditHead.objects.update(mac="")
    _refused(close_planning)
    migration = importlib.import_module("thidua.audit.migrations.0009_chain_head_mac")
    migration.attest(apps, None)
    test_every_head_is_attested_as_written()
    close_planning()
    AuditHead.objects.update(mac="")
    migration.attest(apps, None)
    assert set(AuditHead.objects.values_list("mac", flat=True)) == {""}
    _refused(lambda: audit_services.seal(CHAIN))


def test_each_changed_chain_is_logged_once_and_the_first_named(caplog):
    """`thidua backup` before it copies anything: every chain no key attests is logged once
    (the operator sees them all), and the refusal names the first."""
    chains = sorted(AuditHead.objects.filter(count__gt=0).values_list("chain", flat=True))
    with override_settings(SECRET_KEY="another-installation-" + "x" * 50):
        message = _refused(audit_services.attest_rotated_heads)
    logged = [record.args[0] for record in caplog.records if record.name == "thidua.audit.services"]
    assert logged == chains
    assert "“—”" in message  # the installation's own chain "", first in order
