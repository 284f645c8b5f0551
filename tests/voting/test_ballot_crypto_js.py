"""The browser's ballot cryptography (static/thidua/ballot-crypto.js) against the Python
reference (thidua.core.ballot_crypto): the script runs in Node on the vendored noble bundle,
and what it makes must pass Python's checks, what Python makes must read the same in it.
docs/ballot-crypto.md is the contract; its vectors are checked here too.
"""

from __future__ import annotations

import json
import random
import shutil
import subprocess
from pathlib import Path

import pytest

from thidua.core import ballot_crypto as bc
from thidua.core.ballot_vectors import CLUSTER, YEAR
from thidua.core.ballot_verify import verify_transcript

ROOT = Path(__file__).resolve().parents[2]
STATIC = ROOT / "src" / "thidua" / "web" / "static"
SCRIPTS = [STATIC / "vendor" / "noble-2.4.0.min.js", STATIC / "thidua" / "ballot-crypto.js"]
VECTORS = json.loads((ROOT / "docs" / "ballot-crypto-vectors.json").read_text())
NODE = shutil.which("node")

PRELUDE = """
const vm = require("vm"), fs = require("fs");
for (const file of SCRIPTS) vm.runInThisContext(fs.readFileSync(file, "utf8"));
const bc = globalThis.thiduaBallotCrypto, hex = noble.bytesToHex, unhex = noble.hexToBytes;
const input = JSON.parse(fs.readFileSync(0, "utf8"));
function refused(run) {
  try { run(); return null; } catch (error) { return error.code || String(error); }
}
""".replace("SCRIPTS", json.dumps([str(s) for s in SCRIPTS]))


def js(body: str, **inputs):
    """Run `body` (a function body that returns JSON-able data) in Node with the scripts
    loaded, `input` holding the keyword arguments; BigInts come back as decimal strings."""
    if NODE is None:
        pytest.skip("Node.js is not installed")
    program = (
        PRELUDE
        + "const output = (() => {\n"
        + body
        + "\n})();\nprocess.stdout.write(JSON.stringify(output,"
        + " (key, value) => typeof value === 'bigint' ? value.toString() : value));"
    )
    done = subprocess.run(
        [NODE, "-e", program],
        input=json.dumps(inputs),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


TRANSCRIPT = VECTORS["transcript"]
KEY = TRANSCRIPT["ceremony"]["public_key"]
CANDIDATES = ["HG", "DB", "LC", "LS", "LCa", "SL", "CB"]


def ticks(*chosen: int, blank: bool | None = None, size: int = 7) -> list[int]:
    return [int(i in chosen) for i in range(size)] + ([] if blank is None else [int(blank)])


# --- primitives (§1, §3, §7) -----------------------------------------------------------------


def test_primitives_reproduce_the_vectors():
    primitives = VECTORS["primitives"]
    out = js(
        """
        const p = input.primitives;
        return {
          hash: p.hash.map(h => {
            const items = h.items.map(unhex);
            return { H: hex(bc.H(h.tag, ...items)), Hs: bc.Hs(h.tag, ...items) };
          }),
          points: p.points.map(point => refused(() => bc.pointFrom(point.hex))),
          encryption: bc.encrypt(p.encryption.key, p.encryption.message, p.encryption.nonce),
          lagrange: p.lagrange.map(l => bc.lagrange(l.member, l.present)),
          choice: bc.choiceForm(["HG", "DB", "LC", "LS", "LCa", "SL", "CB"], 3, true),
          approval: bc.approvalForm(["LS", "SL"], true),
          bytes: bc.formBytes(p.forms.choice_7_of_3_blank),
          scalar: [refused(() => bc.scalarFrom(input.ell)),
                   refused(() => bc.scalarFrom("00".repeat(31)))],
        };
        """,
        primitives=primitives,
        ell=bc.L.to_bytes(32, "little").hex(),
    )
    for expected, got in zip(primitives["hash"], out["hash"], strict=True):
        assert got["H"] == expected["H"]
        if "Hs" in expected:
            assert int(got["Hs"]).to_bytes(32, "little").hex() == expected["Hs"]
    assert out["points"] == [None if p["valid"] else "bad_point" for p in primitives["points"]]
    encryption = primitives["encryption"]
    assert out["encryption"] == [encryption["alpha"], encryption["beta"]]
    assert out["lagrange"] == [w["weight"] for w in primitives["lagrange"]]
    assert out["choice"] == primitives["forms"]["choice_7_of_3_blank"]
    assert out["approval"] == primitives["forms"]["approval_2_blank"]
    assert out["bytes"] == primitives["forms"]["choice_7_of_3_blank_bytes"]
    assert out["scalar"] == ["scalar_not_canonical", "wrong_length"]


# --- ballots (§3, §4) --------------------------------------------------------------------------

FORMS = {
    "choice_blank": (
        "choiceForm(input.candidates, 3, true)",
        bc.choice_form(CANDIDATES, 3, blank_valid=True),
        [ticks(0, 3, 5, blank=False), ticks(6, blank=False), ticks(blank=True)],
    ),
    "choice_no_blank": (
        "choiceForm(input.candidates.slice(0, 2), 1, false)",
        bc.choice_form(CANDIDATES[:2], 1, blank_valid=False),
        [[1, 0], [0, 1]],
    ),
    "approval_blank": (
        "approvalForm(input.candidates.slice(0, 2), true)",
        bc.approval_form(CANDIDATES[:2], blank_valid=True),
        [[1, 0, 0, 1, 0], [0, 0, 1, 0, 0], [0, 0, 0, 0, 1]],
    ),
    "approval_no_blank": (
        "approvalForm(input.candidates.slice(0, 3), false)",
        bc.approval_form(CANDIDATES[:3], blank_valid=False),
        [[1, 0, 0, 1, 0, 0], [0, 1, 0, 1, 0, 1]],
    ),
}


@pytest.mark.parametrize("name", FORMS)
def test_js_ballots_are_accepted_by_python(name):
    make, form, plaintexts = FORMS[name]
    out = js(
        f"""
        const form = bc.{make};
        const Q = bc.pollContext(input.key, "CUM-II", 2020, "poll", form);
        return {{ form, Q, ballots: input.plaintexts.map(bits =>
            bc.encryptBallot(Q, input.key, form, bits)) }};
        """,
        key=KEY,
        candidates=CANDIDATES,
        plaintexts=plaintexts,
    )
    assert out["form"] == form.to_json()
    key = bytes.fromhex(KEY)
    context = bc.poll_context(key, "CUM-II", 2020, "poll", form)
    assert out["Q"] == context.hex()
    for made, bits in zip(out["ballots"], plaintexts, strict=True):
        ballot = bc.Ballot.from_json(made["ballot"])
        bc.verify_ballot(context, key, form, ballot)
        assert made["tracker"] == bc.tracker(context, ballot)
        nonces = [bc.scalar_from(r) for r in made["randomness"]]
        assert bc.spoiled_plaintext(key, ballot, nonces) == tuple(bits)


@pytest.mark.parametrize(
    ("make", "bits"),
    [
        ("choiceForm(input.candidates, 3, true)", ticks(0, 1, 2, 3, blank=False)),
        ("choiceForm(input.candidates, 3, true)", ticks(2, blank=True)),
        ("choiceForm(input.candidates, 3, true)", ticks(blank=False)),
        ("choiceForm(input.candidates, 3, false)", ticks()),
        ("choiceForm(input.candidates, 3, false)", [2, 0, 0, 0, 0, 0, 0]),
        ("choiceForm(input.candidates, 3, false)", ticks(1)[:6]),
        ("approvalForm(input.candidates.slice(0, 2), true)", [1, 1, 0, 0, 0]),
        ("approvalForm(input.candidates.slice(0, 2), true)", [1, 0, 0, 0, 1]),
        ("approvalForm(input.candidates.slice(0, 2), false)", [0, 0, 0, 0]),
    ],
)
def test_js_refuses_a_ballot_outside_the_form(make, bits):
    code = js(
        f"""
        const form = bc.{make};
        const Q = bc.pollContext(input.key, "CUM-II", 2020, "poll", form);
        return refused(() => bc.encryptBallot(Q, input.key, form, input.bits));
        """,
        key=KEY,
        candidates=CANDIDATES,
        bits=bits,
    )
    assert code == "plaintext_outside_form"


def test_python_ballots_trackers_read_the_same_in_js():
    key = bytes.fromhex(KEY)
    form = bc.approval_form(CANDIDATES[:2], blank_valid=True)
    context = bc.poll_context(key, CLUSTER, YEAR, "poll", form)
    made = [bc.encrypt_ballot(context, key, form, bits)[0] for bits in ([1, 0, 0, 1, 0],) * 2]
    polls = [
        {"Q": context.hex(), "ballots": [b.to_json() for b in made]},
        *(
            {
                "Q": bc.poll_context(
                    key, CLUSTER, YEAR, p["code"], bc.Form.from_json(p["form"])
                ).hex(),
                "ballots": p["ballots"] + p["spoiled"],
            }
            for p in TRANSCRIPT["polls"]
        ),
    ]
    trackers = js(
        "return input.polls.map(p => p.ballots.map(b => bc.tracker(p.Q, b)));", polls=polls
    )
    assert trackers[0] == [bc.tracker(context, b) for b in made]
    for poll, got in zip(TRANSCRIPT["polls"], trackers[1:], strict=True):
        assert got == [b["tracker"] for b in poll["ballots"] + poll["spoiled"]]


# --- the ceremony and the tally (§2, §5, §6) ---------------------------------------------------


CEREMONY = """
const n = 3, k = 2, C = bc.ceremonyContext("CUM-II", 2020, "js-1", n, k);
const made = [1, 2, 3].map(i => bc.newMember(C, i, k));
const announcements = made.map(m => m.announcement);
for (const a of announcements) bc.checkAnnouncement(C, k, a);
const shares = [];
for (const m of made) for (const a of announcements)
  if (a.index !== m.secret.index) shares.push(bc.shareFor(C, m.secret, a));
const received = { 1: {}, 2: {}, 3: {} }, opened = [];
for (const message of shares) {
  const value = bc.openShare(C, made[message.to - 1].secret, announcements[message.from - 1],
                             message);
  received[message.to][message.from] = value;
  opened.push(value);
}
const keyShares = made.map(m => bc.keyShare(m.secret, received[m.secret.index], announcements));
const K = bc.jointKey(announcements);
"""


def test_a_js_ceremony_and_tally_pass_the_python_verifier():
    form = bc.choice_form(CANDIDATES, 3, blank_valid=True)
    plaintexts = [ticks(0, 3, 5, blank=False), ticks(3, blank=False), ticks(blank=True)]
    out = js(
        CEREMONY
        + """
        const Q = bc.pollContext(K, "CUM-II", 2020, "co", input.form);
        const cast = input.plaintexts.map(bits => bc.encryptBallot(Q, K, input.form, bits));
        const sums = bc.combine(cast.map(c => c.ballot), input.form.selections.length);
        return {
          C, made, shares, opened, keyShares, K, Q, sums,
          keyFingerprint: bc.keyFingerprint(C, K),
          verificationKeys: [1, 2, 3].map(j => bc.verificationKey(announcements, j)),
          ballots: cast.map(c => Object.assign({ tracker: c.tracker }, c.ballot)),
          spoiled: bc.spoil(K, bc.encryptBallot(Q, K, input.form, input.spoil)),
          partials: [1, 3].map(m => bc.partialDecrypt(Q, m, keyShares[m - 1], sums)),
        };
        """,
        form=form.to_json(),
        plaintexts=plaintexts,
        spoil=ticks(1, 2, blank=False),
    )
    context = bc.ceremony_context("CUM-II", 2020, "js-1", 3, 2)
    assert out["C"] == context.hex()
    announcements = {}
    for member in out["made"]:
        announcement = bc.Announcement.from_json(member["announcement"])
        bc.check_announcement(context, 2, announcement)
        assert member["announcement"]["fingerprint"] == bc.member_fingerprint(context, announcement)
        announcements[announcement.index] = announcement
    secrets = {
        m["secret"]["index"]: bc.MemberSecret(
            m["secret"]["index"],
            bc.scalar_from(m["secret"]["communication"]),
            tuple(bc.scalar_from(a) for a in m["secret"]["coefficients"]),
        )
        for m in out["made"]
    }
    for raw, opened in zip(out["shares"], out["opened"], strict=True):
        message = bc.ShareMessage.from_json(raw)
        share = bc.open_share(
            context, secrets[message.recipient], announcements[message.sender], message
        )
        assert share is not None
        assert bc.scalar_bytes(share).hex() == opened
    key = bc.joint_key(list(announcements.values()))
    assert out["K"] == key.hex()
    assert out["keyFingerprint"] == bc.key_fingerprint(context, key)
    for j, (share, public) in enumerate(
        zip(out["keyShares"], out["verificationKeys"], strict=True), 1
    ):
        assert public == bc.verification_key(list(announcements.values()), j).hex()
        assert bc.base(bc.scalar_from(share)).hex() == public

    poll_context = bc.poll_context(key, "CUM-II", 2020, "co", form)
    assert out["Q"] == poll_context.hex()
    ballots = [bc.Ballot.from_json(b) for b in out["ballots"]]
    sums = bc.combine(ballots, len(form.selections))
    assert out["sums"] == [[s.alpha.hex(), s.beta.hex()] for s in sums]
    partials = [bc.Partial.from_json(p) for p in out["partials"]]
    for partial in partials:
        public = bc.verification_key(list(announcements.values()), partial.member)
        bc.check_partial(poll_context, public, sums, partial)
    expected = [sum(column) for column in zip(*plaintexts, strict=True)]
    assert list(bc.counts(sums, partials, 2, len(ballots))) == expected
    spoiled = out["spoiled"]
    assert spoiled["plaintext"] == ticks(1, 2, blank=False)
    assert bc.spoiled_plaintext(
        key, bc.Ballot.from_json(spoiled), [bc.scalar_from(r) for r in spoiled["randomness"]]
    ) == tuple(spoiled["plaintext"])

    transcript = {
        "protocol": bc.PROTOCOL,
        "cluster": "CUM-II",
        "year": 2020,
        "ceremony": {
            "label": "js-1",
            "members": 3,
            "threshold": 2,
            "announcements": [m["announcement"] for m in out["made"]],
            "shares": out["shares"],
            "complaints": [],
            "public_key": out["K"],
            "key_fingerprint": out["keyFingerprint"],
        },
        "polls": [
            {
                "code": "co",
                "form": form.to_json(),
                "ballots": out["ballots"],
                "spoiled": [spoiled],
                "turnout": len(ballots),
                "sums": out["sums"],
                "partials": out["partials"],
                "counts": expected,
            }
        ],
    }
    assert verify_transcript(transcript) is None


def test_js_reads_the_vectors_ceremony_and_decrypts_its_sums():
    """JS opens the shares Python sent (member_secrets of the vectors) to the same key shares,
    and its partial decryptions of the vectors' sums pass Python's check."""
    ceremony = TRANSCRIPT["ceremony"]
    poll = TRANSCRIPT["polls"][0]
    context = bc.ceremony_context(CLUSTER, YEAR, ceremony["label"], 3, 2)
    form = bc.Form.from_json(poll["form"])
    poll_context = bc.poll_context(bytes.fromhex(KEY), CLUSTER, YEAR, poll["code"], form)
    out = js(
        """
        const anns = input.ceremony.announcements, result = {};
        for (const j of [1, 2, 3]) {
          const s = input.secrets[j];
          const secret = { index: j, communication: s.communication, coefficients: s.coefficients };
          const received = {};
          for (const m of input.ceremony.shares.filter(m => m.to === j))
            received[m.from] = bc.openShare(input.C, secret, anns[m.from - 1], m);
          result[j] = bc.keyShare(secret, received, anns);
        }
        const sums = bc.combine(input.ballots, input.selections);
        return { keyShares: result, sums,
                 partial: bc.partialDecrypt(input.Q, 2, result[2], sums) };
        """,
        ceremony=ceremony,
        secrets=VECTORS["member_secrets"],
        C=context.hex(),
        Q=poll_context.hex(),
        ballots=poll["ballots"],
        selections=len(form.selections),
    )
    assert out["keyShares"] == {j: s["key_share"] for j, s in VECTORS["member_secrets"].items()}
    assert out["sums"] == poll["sums"]
    sums = [bc.Ciphertext(bytes.fromhex(a), bytes.fromhex(b)) for a, b in poll["sums"]]
    announcements = [bc.Announcement.from_json(a) for a in ceremony["announcements"]]
    partial = bc.Partial.from_json(out["partial"])
    bc.check_partial(poll_context, bc.verification_key(announcements, 2), sums, partial)
    first = bc.Partial.from_json(poll["partials"][0])
    assert list(bc.counts(sums, [first, partial], 2, poll["turnout"])) == poll["counts"]


def test_js_complaints_are_judged_by_python():
    """A share that does not decrypt (a flipped byte) is refused by JS and its complaint is
    upheld; a complaint against a good share is unfounded."""
    out = js(
        CEREMONY
        + """
        const bad = Object.assign({}, shares[0]);
        bad.ciphertext = (bad.ciphertext[0] === "0" ? "1" : "0") + bad.ciphertext.slice(1);
        const recipient = made[bad.to - 1].secret;
        return {
          C, announcements, bad, good: shares[1],
          refused: bc.openShare(C, recipient, announcements[bad.from - 1], bad),
          upheld: bc.complain(C, recipient, bad),
          unfounded: bc.complain(C, made[shares[1].to - 1].secret, shares[1]),
        };
        """
    )
    assert out["refused"] is None
    context = bytes.fromhex(out["C"])
    announcements = {a["index"]: bc.Announcement.from_json(a) for a in out["announcements"]}
    for message, complaint, verdict in (
        (out["bad"], out["upheld"], True),
        (out["good"], out["unfounded"], False),
    ):
        message = bc.ShareMessage.from_json(message)
        complaint = bc.Complaint.from_json(complaint)
        assert (complaint.sender, complaint.recipient) == (message.sender, message.recipient)
        judged = bc.complaint_upheld(
            context,
            announcements[message.sender],
            announcements[message.recipient],
            message,
            complaint,
        )
        assert judged is verdict


def test_backups_open_across_implementations():
    context = bc.ceremony_context(CLUSTER, YEAR, "js-1", 3, 2)
    z, x = bc.random_scalar(), bc.random_scalar()
    by_python = bc.seal_backup("ngựa ô 2020", context, 2, z, x)
    out = js(
        """
        return {
          sealed: bc.sealBackup("ngựa ô 2020", input.C, 2, input.z, input.x),
          opened: bc.openBackup("ngựa ô 2020", input.C, input.backup),
          wrong: refused(() => bc.openBackup("ngua o 2020", input.C, input.backup)),
        };
        """,
        C=context.hex(),
        z=bc.scalar_bytes(z).hex(),
        x=bc.scalar_bytes(x).hex(),
        backup=by_python,
    )
    assert out["opened"] == {
        "communication": bc.scalar_bytes(z).hex(),
        "share": bc.scalar_bytes(x).hex(),
    }
    assert out["wrong"] == "wrong_passphrase"
    assert out["sealed"]["protocol"] == bc.PROTOCOL
    assert bc.open_backup("ngựa ô 2020", context, out["sealed"]) == (z, x)
    with pytest.raises(bc.Invalid, match="wrong_passphrase"):
        bc.open_backup("ngựa ô 2021", context, out["sealed"])


def test_js_checks_announcements_and_shares_made_by_python():
    """Python's announcements pass JS's check and tampered ones fail with the spec's codes; a
    share that decrypts but does not match the sender's commitments is refused by JS, and
    Python upholds JS's complaint against it; without every share, no key share."""
    ceremony = TRANSCRIPT["ceremony"]
    context = bc.ceremony_context(CLUSTER, YEAR, ceremony["label"], 3, 2)
    announcements = {a["index"]: bc.Announcement.from_json(a) for a in ceremony["announcements"]}
    secrets = {
        int(j): bc.MemberSecret(
            int(j),
            bc.scalar_from(s["communication"]),
            tuple(bc.scalar_from(a) for a in s["coefficients"]),
        )
        for j, s in VECTORS["member_secrets"].items()
    }
    liar = bc.MemberSecret(1, secrets[1].communication, (1, 2))
    wrong = bc.share_for(context, liar, announcements[2]).to_json()
    first, second = ceremony["announcements"][:2]
    tampered = [
        {**first, "fingerprint": second["fingerprint"]},
        {**first, "commitments": [first["commitments"][0], second["commitments"][1]]},
        {**first, "key_proof": second["key_proof"]},
        {**first, "commitments": first["commitments"][:1]},
        {**first, "communication_key": bc.IDENTITY.hex()},
    ]
    out = js(
        """
        const secret = Object.assign({ index: 2 }, input.secret);
        return {
          good: input.announcements.map(a => refused(() => bc.checkAnnouncement(input.C, 2, a))),
          tampered: input.tampered.map(a => refused(() => bc.checkAnnouncement(input.C, 2, a))),
          opened: bc.openShare(input.C, secret, input.announcements[0], input.wrong),
          complaint: bc.complain(input.C, secret, input.wrong),
          empty: bc.combine([], 2),
          keyShare: [{ 1: null }, {}].map(r => refused(() =>
            bc.keyShare(secret, r, input.announcements))),
        };
        """,
        C=context.hex(),
        announcements=ceremony["announcements"],
        tampered=tampered,
        secret=VECTORS["member_secrets"]["2"],
        wrong=wrong,
    )
    assert out["good"] == [None, None, None]
    assert out["tampered"] == [
        "wrong_fingerprint",
        "bad_commitment_proof",
        "bad_key_proof",
        "commitment_count",
        "bad_point",
    ]
    assert out["opened"] is None
    message = bc.ShareMessage.from_json(wrong)
    complaint = bc.Complaint.from_json(out["complaint"])
    assert bc.complaint_upheld(context, announcements[1], announcements[2], message, complaint)
    assert out["empty"] == TRANSCRIPT["polls"][2]["sums"] == []
    assert out["keyShare"] == ["share_refused", "wrong_key_share"]


def test_a_members_browser_checks_every_ballot_as_the_server_does():
    """`verifyBallot` (run by a member's browser on every ballot before summing them) accepts
    the vectors' cast ballots with their trackers and refuses, with the same rule as the
    server's code, the vectors' forged, damaged and mislabelled ballots."""
    from thidua.core.ballot_vectors import patched

    cases = []
    for position, poll in enumerate(TRANSCRIPT["polls"][:2]):
        for ballot in poll["ballots"]:
            cases.append((position, ballot, None))
    for case in VECTORS["failing"]:
        changed = patched(TRANSCRIPT, case["patch"])
        where = case["where"]
        if ".ballots[" in where and case["code"] in ("bad_proof", "wrong_tracker", "bad_point"):
            poll, ballot = where.split(".ballots[")
            position = int(poll.removeprefix("polls[").rstrip("]"))
            cases.append(
                (
                    position,
                    changed["polls"][position]["ballots"][int(ballot.rstrip("]"))],
                    case["code"],
                )
            )
    assert {code for *_, code in cases} == {None, "bad_proof", "wrong_tracker", "bad_point"}
    polls = [{"form": p["form"], "code": p["code"]} for p in TRANSCRIPT["polls"][:2]]
    out = js(
        """
        return input.cases.map(([position, ballot]) => {
          const poll = input.polls[position];
          const Q = bc.pollContext(input.key, input.cluster, input.year, poll.code, poll.form);
          return refused(() => bc.verifyBallot(Q, input.key, poll.form, ballot, ballot.tracker));
        });
        """,
        cases=[[position, ballot] for position, ballot, _ in cases],
        polls=polls,
        key=KEY,
        cluster=TRANSCRIPT["cluster"],
        year=TRANSCRIPT["year"],
    )
    assert out == [code for *_, code in cases]


def test_a_tracker_reads_the_same_in_the_browser_and_on_the_minutes():
    trackers = [b["tracker"] for b in TRANSCRIPT["polls"][0]["ballots"]]
    shown = js("return input.trackers.map(bc.shownTracker);", trackers=trackers)
    assert shown == [bc.shown_tracker(t) for t in trackers]


def test_the_phone_turns_a_ballot_into_the_same_bits_as_the_reference():
    """The phone of an encrypted poll makes its bits from the ticks itself (sealed-ballot.js,
    so no choice leaves it in the clear): `choiceBits` must say what core.ballots.sealed_bits
    says, for choice and approval forms, with and without a blank selection."""
    from thidua.core.ballots import Answer, Ballot, sealed_bits

    rng = random.Random(14)
    cases = []
    for _ in range(120):
        codes = CANDIDATES[: rng.randint(1, 7)]
        blank = rng.random() < 0.5
        if rng.random() < 0.5:
            form = bc.choice_form(codes, rng.randint(1, len(codes)), blank)
            ballot = Ballot(choices=tuple(c for c in codes if rng.random() < 0.4))
        else:
            form = bc.approval_form(codes, blank)
            ballot = Ballot(answers={c: rng.choice(list(Answer)) for c in codes})
        cases.append(
            {
                "form": form.to_json(),
                "choices": list(ballot.choices),
                "answers": {c: a.value for c, a in ballot.answers.items()},
                "bits": sealed_bits(form, ballot),
            }
        )
    made = js(
        """
        return input.cases.map((c) =>
          bc.choiceBits(c.form, { choices: c.choices, answers: c.answers }));
        """,
        cases=cases,
    )
    assert made == [case["bits"] for case in cases]
    blanks = [c for c in cases if "blank" in c["form"]["selections"] and c["bits"][-1]]
    assert blanks  # blank ballots among the others
    assert len(blanks) < len(cases)
