"""`thidua verify` over the country's real volume of records, against merely parsing them.

The Ministry's server holds a record per cluster and year: here 18 clusters × 10 years, each
a realistic cluster year — 8 member units, 60 criteria scored by every other member (and
self-assessed), two years of reports, 5 polls of 24 ballots, and its whole signed audit
chain. The records are built with the core (their computed parts are what the core
computes), signed with a throw-away key, written canonically; then a fresh process reads
them, in rounds (`BENCH_ROUNDS`, 5; the median round is judged), each quantity in a loop of
its own over every file, the least of `BENCH_PASSES` (3) passes after a warm-up pass: only
parsing the JSON (the baseline), then verifying, … Times are CPU times of that process (the
machine's other work does not count). Printed, measured in
the same round:

- the time of each, and the ratio verify / parse;
- within verify, the time of the cryptography (re-hashing every chain entry, checking every
  Ed25519 signature) and of the other checks, each against its own baseline: the bare
  primitives (SHA-256 of the same bytes, libsodium's verify of as many signatures) for the
  first, the plain parse for the second;
- the time of `verify_file` (what `thidua verify` runs: the file read member by member,
  never parsed whole, then verified);
- the peak memory of verifying the largest record, above an interpreter that has imported
  the same modules, and the peak of what reading and verifying it allocates (tracemalloc),
  each against the record's size (read by `verify_file`, as `thidua verify` reads it).

    .venv/bin/python benchmarks/verify_bench.py [--clusters 18] [--years 10]
"""

from __future__ import annotations

import argparse
import json
import os
import random
import subprocess
import sys
import tempfile
import time
from decimal import Decimal
from pathlib import Path

from goals import Goals  # benchmarks/goals.py (scripts run from their folder)
from nacl.signing import SigningKey

from thidua.core import ballots as core_ballots
from thidua.core import record as core_record
from thidua.core import signing, typed
from thidua.core.audit import GENESIS, entry_hash
from thidua.core.record import AuditAction
from thidua.core.verify import ranking, statistics

UNITS, CRITERIA, POLLS, BALLOTS = 8, 60, 5, 24
NATIONAL_CLUSTERS, NATIONAL_YEARS = 18, 10  # the country's volume, where the goals are judged
ROUNDS = int(os.environ.get("BENCH_ROUNDS", "5"))  # the median round is judged
PASSES = int(os.environ.get("BENCH_PASSES", "3"))  # in each round, each quantity's least
INDICATORS = [
    ("cases", "count", None, None),
    ("offenders", "count", None, None),
    ("solved", "count", None, None),
    ("clearance", "rate", "solved", "cases"),
]


class Chain:
    """A cycle's audit chain as the app writes it: the key first, a checkpoint after every
    act that the app checkpoints."""

    def __init__(self, name: str, key: SigningKey):
        self.name, self.key, self.entries = name, key, []
        public = signing.public_hex(key)
        self.fingerprint = signing.fingerprint(public)
        self._link(
            AuditAction.KEY_REGISTER,
            "audit.chain",
            name,
            {"public_key": public, "fingerprint": self.fingerprint, "replaces": None},
        )
        self._link(  # the catalog the statistics are computed with, as the app logs it
            AuditAction.CATALOG,
            "audit.chain",
            name,
            {
                "indicators": {
                    code: {
                        "kind": kind,
                        "decimals": 0,
                        "numerator": numerator,
                        "denominator": denominator,
                        "active": True,
                    }
                    for code, kind, numerator, denominator in sorted(INDICATORS)
                }
            },
        )

    def _link(self, action, object_type, object_id, after, actor="system") -> None:
        previous = self.entries[-1]["hash"] if self.entries else GENESIS
        payload = {
            "at": "2020-11-16T08:00:00+00:00",
            "actor": actor,
            "unit": "",
            "cycle": self.name,
            "action": str(action),
            "object_type": object_type,
            "object_id": str(object_id),
            "before": None,
            "after": after,
        }
        seq = len(self.entries) + 1
        digest = entry_hash(chain=self.name, seq=seq, prev_hash=previous, payload=payload)
        self.entries.append(
            {"seq": seq, "prev_hash": previous, "hash": digest, "origin": None, "payload": payload}
        )

    def write(self, action, object_type, object_id, after) -> None:
        self._link(action, object_type, object_id, after, actor="thuky")
        if action in core_record.CHECKPOINTED:
            last = self.entries[-1]
            self._link(
                AuditAction.CHECKPOINT,
                "audit.chain",
                self.name,
                {
                    "seq": last["seq"],
                    "hash": last["hash"],
                    "fingerprint": self.fingerprint,
                    "signature": signing.sign(self.key, self.name, last["seq"], last["hash"]),
                },
            )

    def audit(self) -> dict:
        return {"chain": self.name, "entries": self.entries, "head": self.entries[-1]["hash"]}

    def seal(self) -> dict:
        head = self.entries[-1]
        return {
            "public_key": signing.public_hex(self.key),
            "signature": signing.sign(self.key, self.name, head["seq"], head["hash"]),
        }


def _indicator(code, kind, numerator, denominator) -> dict:
    return {
        "code": code,
        "name": code,
        "name_en": code,
        "section": "",
        "section_en": "",
        "measure": "",
        "measure_en": "",
        "kind": kind,
        "direction": "neutral",
        "decimals": 0,
        "numerator": numerator,
        "denominator": denominator,
        "scope": "",
        "position": 0,
        "active": True,
    }


def _criteria() -> list[dict]:
    plain = {
        "min_points": "0",
        "indicator": None,
        "points_each": "0",
        "penalty_each": "0",
        "measure": "",
        "guidance": "",
    }
    section = {"code": "S", "name": "Mục", "kind": "section", "parent": None, "position": 0}
    return [{**section, "max_points": str(CRITERIA * 10), **plain}] + [
        {
            "code": f"C{n}",
            "name": f"Tiêu chí {n}",
            "kind": "peer",
            "max_points": "10",
            "parent": "S",
            "position": n + 1,
            **plain,
        }
        for n in range(CRITERIA)
    ]


def build(cluster: str, year: int, key: SigningKey, rng: random.Random) -> dict:
    """One cluster year's record, consistent in every part."""
    name = f"{cluster}/{year}"
    units = [f"{cluster}-u{n}" for n in range(UNITS)]
    chain = Chain(name, key)
    rule_set = {
        "code": "x",
        "version": 1,
        "name": "",
        "legal_basis": "",
        "effective_from": None,
        "effective_to": None,
        "data": {},
    }
    chain.write(
        AuditAction.CYCLE_CREATE,
        "org.cycle",
        1,
        {
            "title": "",
            "members": sorted(units),
            "leader": units[0],
            "deputy": units[1],
            "rule_set": "x@1",
            "note": "",
        },
    )
    reports = []
    for of_year in (year - 1, year):
        for unit in units:
            cases = rng.randint(100, 900)
            figures = {
                "cases": str(cases),
                "offenders": str(cases + rng.randint(0, 300)),
                "solved": str(rng.randint(0, cases)),
            }
            reports.append(
                {
                    "unit": unit,
                    "year": of_year,
                    "period": "Y",
                    "status": "submitted",
                    "in_cycle": of_year == year,
                    "source": "",
                    "returned_reason": "",
                    "figures": figures,
                }
            )
            chain.write(
                AuditAction.REPORT_SUBMIT,
                "stats.report",
                f"{unit}/{of_year}/Y",
                {"figures": figures, "status": "submitted"},
            )
    for phase in ("planning", "agreement", "reporting", "scoring"):
        chain.write(AuditAction.PHASE_CLOSE, "org.cycle", 1, {"phase": phase})
    sheets = []
    for target in units:
        for scorer in units:
            scores = {f"C{n}": str(Decimal(rng.randint(20, 40)) / 4) for n in range(CRITERIA)}
            sheets.append(
                {
                    "scorer": scorer,
                    "target": target,
                    "kind": "self" if scorer == target else "peer",
                    "status": "submitted",
                    "scores": scores,
                }
            )
            chain.write(
                AuditAction.SHEET_SUBMIT, "scoring.scoresheet", f"{scorer}->{target}", scores
            )
    sheets.sort(key=lambda s: (s["scorer"], s["target"]))
    polls = []
    rules = {"seats": 1, "threshold": "1/2", "comparison": ">", "base": "returned"}
    for number in range(POLLS):
        code = f"p{number}"
        candidates = sorted(rng.sample(units, 4))
        contents = [{"choices": sorted(rng.sample(candidates, 1))} for _ in range(BALLOTS)]
        counted = core_ballots.stored_result(
            core_ballots.tally(
                [core_ballots.ballot_from(c) for c in contents],
                core_ballots.rules_from(rules, candidates),
                electorate=BALLOTS,
                issued=BALLOTS,
            ),
            core_ballots.rules_from(rules, candidates),
        )
        after = {"code": code, "title": code, "rules": rules, "candidates": candidates}
        chain.write(AuditAction.POLL_CREATE, "voting.poll", number, after)
        chain.write(AuditAction.POLL_OPEN, "voting.poll", number, {"electorate": BALLOTS})
        chain.write(AuditAction.POLL_CLOSE, "voting.poll", number, counted)
        polls.append(
            {
                "code": code,
                "title": code,
                "purpose": "other",
                "title_code": "",
                "mode": "electronic",
                "rules": rules,
                "status": "closed",
                "electorate": BALLOTS,
                "opened_at": None,
                "closed_at": None,
                "runoff_of": None,
                "candidates": candidates,
                "electors": [],
                "ballots": sorted(
                    ({"content": c} for c in contents),
                    key=lambda b: json.dumps(b, sort_keys=True),
                ),
                "receipts": sorted(f"R{number}{n:04d}" for n in range(BALLOTS)),
                "result": counted,
            }
        )
    document = {
        "format": core_record.FORMAT,
        "version": core_record.VERSION,
        "cycle": {
            "cluster": cluster,
            "cluster_name": cluster,
            "parent_body": "",
            "movement": "",
            "year": year,
            "title": "",
            "phase": "conference",
            "phase_is_open": True,
            "leader": units[0],
            "deputy": units[1],
            "members": units,
            "note": "",
            "rule_set": rule_set,
        },
        "units": [
            {
                "code": unit,
                "name": unit,
                "short_name": unit,
                "kind": "provincial_police",
                "valid_from": None,
                "valid_to": None,
                "head_rank": "",
                "head_title": "",
                "head_name": "",
            }
            for unit in units
        ],
        "lineage": [],
        "handovers": [
            {
                "year": year,
                "leader": units[0],
                "deputy": units[1],
                "method": "assigned",
                "decision_ref": "",
                "note": "",
                "from_this_cycle": False,
            }
        ],
        "indicators": [_indicator(*spec) for spec in INDICATORS],
        "reports": reports,
        "published": [],
        "report_text": {},
        "statistics": {"units": {}, "total": {"values": {}, "baseline": {}}},
        "agreement": {
            "declared_total": str(CRITERIA * 10),
            "rules": {"aggregation": "trimmed_mean"},
            "assignment_kind": "all",
            "assignment": {t: [s for s in units if s != t] for t in units},
            "criteria": _criteria(),
            "targets": [],
            "facts": [],
            "approved_by": units,
            "signed_at": None,
            "note": "",
        },
        "sheets": sheets,
        "scoring": {"ranking": []},
        "conference": None,
        "polls": polls,
        "documents": [],
        "audit": chain.audit(),
        "seal": chain.seal(),
    }
    record, faults = core_record.read(document)
    assert not faults, faults[:3]
    document["statistics"] = typed.write(statistics(record))
    document["scoring"] = {"ranking": typed.write(ranking(record))}
    return document


CHILD = """
import hashlib, json, resource, sys, time
from pathlib import Path
from nacl.signing import VerifyKey
from thidua.core import record as core_record, signing, typed
from thidua.core.audit import Link, canonical_json, first_break
from thidua.core.verify import _signatures, verify, verify_file
files = sorted(Path(sys.argv[1]).glob("*.json"))
if sys.argv[2] == "idle":  # the modules imported, no record read: the memory baseline
    print(json.dumps({"rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}))
    sys.exit()
if sys.argv[2] == "file":  # the process's peak, reading and verifying as `thidua verify`
    for path in files:
        assert not verify_file(path).findings
    print(json.dumps({"rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}))
    sys.exit()
if sys.argv[2] == "memory":  # what reading and verifying one file allocates, at its peak
    import tracemalloc
    (path,) = files
    typed._fast(core_record.Record)  # the readers, built once per process (not per record)
    tracemalloc.start()
    assert not verify_file(path).findings  # as `thidua verify` reads and checks a file
    print(json.dumps({"traced_peak_mb": tracemalloc.get_traced_memory()[1] / 1e6}))
    sys.exit()
# Each quantity in a loop of its own over every file, in CPU time (`process_time`: the
# machine's other processes do not count; nothing here waits), so that no measurement runs
# between another's steps and disturbs its caches: the plain parse first (the baseline),
# then parse and verify (only verify timed), `verify_file`, and the cryptography's parts
# with their bare primitives. The loops are run PASSES times in turn, after one pass that
# warms the process (its memory, the readers), and each quantity is the least of its
# passes: a pass only ever takes longer than the work when the machine interferes, and the
# baseline measured once in a cold process made the ratio swing by half between runs.
clock = time.process_time
PASSES = int(sys.argv[3])


def timed_pass() -> dict:
    out = {"parse": 0.0, "verify": 0.0, "file": 0.0, "chain": 0.0, "signatures": 0.0,
           "findings": 0, "bare_sha256": 0.0, "bare_ed25519": 0.0, "hashes": 0, "signed": 0}
    for path in files:
        start = clock()
        document = json.loads(path.read_bytes())
        out["parse"] += clock() - start
        del document  # freed outside the timing, as below
    for path in files:
        document = json.loads(path.read_bytes())
        start = clock()
        out["findings"] += len(verify(document))
        out["verify"] += clock() - start
        del document
    for path in files:
        start = clock()
        out["findings"] += len(verify_file(path).findings)
        out["file"] += clock() - start
    for path in files:
        record, _ = core_record.read(json.loads(path.read_bytes()))
        links = [Link(e.seq, e.prev_hash, e.hash, typed.write(e.payload), typed.write(e.origin))
                 for e in record.audit.entries]
        start = clock()
        first_break(record.audit.chain, links)
        out["chain"] += clock() - start
        start = clock()
        _signatures(record)
        out["signatures"] += clock() - start
        contents = [canonical_json({"chain": record.audit.chain, "seq": l.seq,
                                    "prev_hash": l.prev_hash, "origin": l.origin,
                                    "payload": l.payload}).encode() for l in links]
        start = clock()
        for content in contents:
            hashlib.sha256(content).hexdigest()
        out["bare_sha256"] += clock() - start
        signed = [e for e in record.audit.entries if e.payload.action == "record.checkpoint"]
        key = VerifyKey(bytes.fromhex(record.seal.public_key))
        pairs = [(signing.signed_bytes(record.audit.chain, e.seq - 1, e.prev_hash),
                  bytes.fromhex(e.payload.after["signature"])) for e in signed]
        start = clock()
        for message, signature in pairs:
            key.verify(message, signature)
        out["bare_ed25519"] += clock() - start
        out["hashes"] += len(links)
        out["signed"] += len(pairs) + 1
    return out


timed_pass()  # the warm-up, not counted
passes = [timed_pass() for _ in range(PASSES)]
out = {name: min(one[name] for one in passes) for name in passes[0]}
out["findings"] = max(one["findings"] for one in passes)
out["rss_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
print(json.dumps(out))
"""


def measure(folder: Path, what: str) -> dict:
    done = subprocess.run(  # noqa: S603 - this interpreter, our own script and files
        [sys.executable, "-c", CHILD, str(folder), what, str(PASSES)],
        capture_output=True,
        text=True,
        check=True,
    )
    return json.loads(done.stdout)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--clusters", type=int, default=NATIONAL_CLUSTERS)
    parser.add_argument("--years", type=int, default=NATIONAL_YEARS)
    options = parser.parse_args(argv)
    rng = random.Random(2020)
    key = SigningKey(bytes(range(32)))  # a throw-away key: the benchmark's own
    start = time.perf_counter()
    with tempfile.TemporaryDirectory() as name:
        folder = Path(name)
        sizes = []
        for cluster in range(options.clusters):
            for year in range(2017, 2017 + options.years):
                document = build(f"cum-{cluster + 1}", year, key, rng)
                path = folder / f"cum-{cluster + 1}-{year}.json"
                path.write_bytes(core_record.encode(document))
                sizes.append(path.stat().st_size)
        print(
            f"records: {options.clusters} clusters × {options.years} years = {len(sizes)}, "
            f"{sum(sizes) / 1e6:,.1f} MB (largest {max(sizes) / 1e6:,.2f} MB; built in "
            f"{time.perf_counter() - start:.0f} s)"
        )
        rounds = [measure(folder, "verify") for _ in range(ROUNDS)]
        idle = measure(folder, "idle")
        largest = folder / "largest"
        largest.mkdir()
        biggest = max(folder.glob("*.json"), key=lambda p: p.stat().st_size)
        (largest / biggest.name).write_bytes(biggest.read_bytes())
        one = measure(largest, "file")
        traced = measure(largest, "memory")
    if any(checked["findings"] for checked in rounds):
        print("verify found differences in consistent records: a bug")
        return 1

    def other(checked: dict) -> float:  # the checks without the cryptography, over parsing
        return (checked["verify"] - checked["chain"] - checked["signatures"]) / checked["parse"]

    def streamed(checked: dict) -> float:
        """The same for `verify_file`, less a plain parse (it reads the file itself) and the
        cryptography as timed on the parsed records (the same hashes and signatures)."""
        crypto = checked["chain"] + checked["signatures"]
        return (checked["file"] - checked["parse"] - crypto) / checked["parse"]

    print(
        f"{ROUNDS} rounds, each a fresh process; checks without the crypto / parsing: "
        + ", ".join(f"{other(checked):.2f}×" for checked in rounds)
        + "; the median round:"
    )
    checked = sorted(rounds, key=other)[len(rounds) // 2]
    parse = checked["parse"]
    print(f"parse the JSON only:        {parse:7.2f} s (CPU time, as every time below)")
    print(
        f"parse + verify:             {parse + checked['verify']:7.2f} s "
        f"({(parse + checked['verify']) / parse:.1f}× parsing)"
    )
    print(
        f"  checks without the crypto: {other(checked) * parse:7.2f} s "
        f"({other(checked):.1f}× parsing)"
    )
    print(
        f"  read member by member and verified, from the files (as `thidua verify`): "
        f"{checked['file']:7.2f} s ({checked['file'] / parse:.1f}× parsing; without parsing "
        f"and the crypto, {streamed(checked):.2f}× parsing)"
    )
    print(
        f"  chain hashes:              {checked['chain']:7.2f} s for {checked['hashes']:,} "
        f"entries ({checked['chain'] / checked['bare_sha256']:.1f}× bare SHA-256 of the same "
        f"bytes, {checked['bare_sha256']:.2f} s)"
    )
    print(
        f"  signatures:                {checked['signatures']:7.2f} s for {checked['signed']:,} "
        f"({checked['signatures'] / checked['bare_ed25519']:.1f}× bare Ed25519 verify, "
        f"{checked['bare_ed25519']:.2f} s)"
    )
    grown = one["rss_mb"] - idle["rss_mb"]
    largest_mb = max(sizes) / 1e6
    print(
        f"peak memory verifying the largest record ({largest_mb:.2f} MB): "
        f"{one['rss_mb']:.1f} MB, {grown:.1f} MB above the interpreter "
        f"({grown / largest_mb:.1f}× the file; the process's resolution hides small records)"
    )
    print(
        f"  of which allocated while reading and verifying it (tracemalloc's peak): "
        f"{traced['traced_peak_mb']:.2f} MB ({traced['traced_peak_mb'] / largest_mb:.1f}× "
        f"the file)"
    )
    if (options.clusters, options.years) != (NATIONAL_CLUSTERS, NATIONAL_YEARS):
        print("goals: judged at the national volume only (the default sizes)")
        return 0
    goals = Goals()
    goals.at_most("checks without the crypto / parsing", other(checked), 3)
    goals.at_most("the same, streamed as `thidua verify` reads", streamed(checked), 3)
    goals.at_most("tracemalloc peak / largest record", traced["traced_peak_mb"] / largest_mb, 2)
    return goals.status()


if __name__ == "__main__":
    sys.exit(main())
