"""`thidua verify` on a national-size synthetic record, against merely parsing its JSON.

40 clusters' worth in one record: 400 member units, 100 criteria, 9 peer scorers per unit
(plus each unit's self-assessment), 400 reports for the year and 400 for the year before,
an audit entry per report and sheet, and 10 polls of 100.000 ballots (1 M ballots). The
record is built with the core (its computed parts are what the core computes), written
canonically, then two fresh processes read it: one only parses the JSON (the baseline), the
other parses and verifies. Each prints its time and peak memory (max RSS); the ratio of the
times is printed last. Same machine, same run.

    .venv/bin/python benchmarks/verify_bench.py [--ballots 1000000]
"""

from __future__ import annotations

import argparse
import json
import random
import subprocess
import sys
import tempfile
import time
from decimal import Decimal
from pathlib import Path

from thidua.core import ballots as core_ballots
from thidua.core import record as core_record
from thidua.core.audit import GENESIS, canonical_json, entry_hash

UNITS, CRITERIA, SCORERS, POLLS = 400, 100, 9, 10
INDICATORS = [
    ("cases", "count", None, None),
    ("offenders", "count", None, None),
    ("solved", "count", None, None),
    ("clearance", "rate", "solved", "cases"),
]


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


def build(ballots_total: int, seed: int = 2020) -> dict:
    rng = random.Random(seed)
    units = [f"u{n:03d}" for n in range(UNITS)]
    criteria = [
        {
            "code": "S",
            "name": "Mục",
            "kind": "section",
            "max_points": str(CRITERIA * 10),
            "parent": None,
            "min_points": "0",
            "indicator": None,
            "points_each": "0",
            "penalty_each": "0",
            "measure": "",
            "position": 0,
            "guidance": "",
        }
    ] + [
        {
            "code": f"C{n}",
            "name": f"Tiêu chí {n}",
            "kind": "peer",
            "max_points": "10",
            "parent": "S",
            "min_points": "0",
            "indicator": None,
            "points_each": "0",
            "penalty_each": "0",
            "measure": "",
            "position": n + 1,
            "guidance": "",
        }
        for n in range(CRITERIA)
    ]
    assignment = {
        unit: [units[(index + step) % UNITS] for step in range(1, SCORERS + 1)]
        for index, unit in enumerate(units)
    }
    sheets = [
        {
            "scorer": scorer,
            "target": target,
            "kind": "self" if scorer == target else "peer",
            "status": "submitted",
            "scores": {f"C{n}": str(Decimal(rng.randint(20, 40)) / 4) for n in range(CRITERIA)},
        }
        for target in units
        for scorer in [target, *assignment[target]]
    ]
    reports = []
    for year in (2019, 2020):
        for unit in units:
            cases = rng.randint(100, 900)
            reports.append(
                {
                    "unit": unit,
                    "year": year,
                    "period": "Y",
                    "status": "submitted",
                    "in_cycle": year == 2020,
                    "source": "",
                    "returned_reason": "",
                    "figures": {
                        "cases": str(cases),
                        "offenders": str(cases + rng.randint(0, 300)),
                        "solved": str(rng.randint(0, cases)),
                    },
                }
            )
    entries, previous = [], GENESIS
    for kind, items in (("stats.report.submit", reports), ("scoring.sheet.submit", sheets)):
        for item in items:
            if kind.startswith("stats"):
                object_id = f"{item['unit']}/{item['year']}/Y"
                after = {"figures": item["figures"], "status": "submitted"}
            else:
                object_id = f"{item['scorer']}->{item['target']}"
                after = item["scores"]
            payload = {
                "at": "2020-11-16T08:00:00+00:00",
                "actor": "system",
                "unit": "",
                "cycle": "quoc-gia/2020",
                "action": kind,
                "object_type": kind.rsplit(".", 1)[0],
                "object_id": object_id,
                "before": None,
                "after": after,
            }
            digest = entry_hash(previous, payload)
            entries.append({"prev_hash": previous, "hash": digest, "payload": payload})
            previous = digest
    rules = {"seats": 3, "threshold": "1/2", "comparison": ">", "base": "returned"}
    polls = []
    per_poll = ballots_total // POLLS
    for number in range(POLLS):
        candidates = rng.sample(units, 8)
        contents = [
            {"choices": sorted(rng.sample(candidates, rng.randint(0, 3)))} for _ in range(per_poll)
        ]
        counted = core_ballots.tally(
            [core_ballots.ballot_from(c) for c in contents],
            core_ballots.rules_from(rules, candidates),
            electorate=per_poll,
            issued=per_poll,
        )
        polls.append(
            {
                "code": f"p{number}",
                "title": f"Bình xét {number}",
                "purpose": "title",
                "title_code": "",
                "mode": "electronic",
                "rules": rules,
                "status": "closed",
                "electorate": per_poll,
                "opened_at": None,
                "closed_at": None,
                "runoff_of": None,
                "candidates": candidates,
                "ballots": sorted(
                    ({"content": c, "source": "electronic"} for c in contents),
                    key=canonical_json,
                ),
                "receipts": sorted(f"R{number:02d}{n:07d}" for n in range(per_poll)),
                "result": core_ballots.stored_result(
                    counted, core_ballots.rules_from(rules, candidates)
                ),
            }
        )
    record = {
        "format": core_record.FORMAT,
        "version": core_record.VERSION,
        "cycle": {
            "cluster": "quoc-gia",
            "cluster_name": "Tổng hợp toàn quốc (tổng hợp để đo)",
            "parent_body": "",
            "movement": "",
            "year": 2020,
            "title": "",
            "phase": "conference",
            "phase_is_open": False,
            "leader": units[0],
            "deputy": units[1],
            "members": units,
            "note": "",
            "rule_set": {
                "code": "x",
                "version": 1,
                "name": "",
                "legal_basis": "",
                "effective_from": None,
                "effective_to": None,
                "data": {},
            },
        },
        "units": [
            {
                "code": unit,
                "name": unit,
                "short_name": unit,
                "kind": "province",
                "valid_from": None,
                "valid_to": None,
                "head_title": "",
                "head_name": "",
            }
            for unit in units
        ],
        "lineage": [],
        "handovers": [],
        "indicators": [_indicator(*spec) for spec in INDICATORS],
        "reports": reports,
        "published": [],
        "report_text": {},
        "statistics": {},
        "agreement": {
            "declared_total": str(CRITERIA * 10),
            "rules": {"aggregation": "trimmed_mean"},
            "assignment_kind": "teams",
            "assignment": assignment,
            "criteria": criteria,
            "targets": [],
            "facts": [],
            "approved_by": units,
            "signed_at": None,
            "note": "",
        },
        "sheets": sheets,
        "scoring": None,
        "conference": None,
        "polls": polls,
        "documents": [],
        "audit": {"entries": entries, "last_hash": previous},
    }
    record["statistics"] = core_record.statistics(record)
    record["scoring"] = {"ranking": core_record.ranking(record)}
    return record


CHILD = """
import json, resource, sys, time
start = time.perf_counter()
record = json.loads(open(sys.argv[1], "rb").read())
parsed = time.perf_counter() - start
findings = None
if sys.argv[2] == "verify":
    from thidua.core.record import verify
    findings = len(verify(record))
took = time.perf_counter() - start
print(json.dumps({"parse": parsed, "total": took, "findings": findings,
                  "rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}))
"""


def measure(path: Path, what: str) -> dict:
    done = subprocess.run(  # noqa: S603 - this interpreter, our own script and file
        [sys.executable, "-c", CHILD, str(path), what], capture_output=True, text=True, check=True
    )
    return json.loads(done.stdout)


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--ballots", type=int, default=1_000_000)
    options = parser.parse_args()
    start = time.perf_counter()
    record = build(options.ballots)
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "national.json"
        path.write_bytes(core_record.encode(record))
        size = path.stat().st_size
        del record
        print(
            f"record: {UNITS} units, {CRITERIA} criteria, {SCORERS} scorers per unit, "
            f"{options.ballots:,} ballots in {POLLS} polls; {size / 1e6:,.0f} MB "
            f"(built in {time.perf_counter() - start:.0f} s)"
        )
        parse = measure(path, "parse")
        verify = measure(path, "verify")
    if verify["findings"] != 0:
        print(f"verify found {verify['findings']} differences in a consistent record: a bug")
        return 1
    print(f"parse the JSON only:   {parse['total']:6.1f} s, peak memory {parse['rss_mb']:,.0f} MB")
    print(
        f"parse + verify:        {verify['total']:6.1f} s, peak memory {verify['rss_mb']:,.0f} MB "
        f"(verify alone {verify['total'] - verify['parse']:.1f} s)"
    )
    print(f"ratio verify / parse:  {verify['total'] / parse['total']:.1f}×")
    return 0


if __name__ == "__main__":
    sys.exit(main())
