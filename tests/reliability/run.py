"""``make reliability``: run the whole fault matrix and print one table; exit 1 when a case has a problem.

    python -m tests.reliability.run [--slice] [--workers N] [--details] [--json FILE]

The table has one row per fault kind x target kind x backend (``create`` rows add up the twelve creates;
``create_token`` is an STK push whose token request meets the fault), then ``cases: N, problems: M``.
Each problem (one per failing case) is listed on stderr first, with ``--details``.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections import defaultdict

from .matrix import CaseResult, all_cases, new_server, run_cases, slice_cases


def _table(results: dict[str, CaseResult]) -> list[str]:
    rows: dict[tuple[str, str, str], list[int]] = defaultdict(lambda: [0, 0])
    for res in results.values():
        key = (res.case.fault.kind, res.case.target.kind, res.case.backend.name)
        rows[key][0] += 1
        rows[key][1] += bool(res.problems)
    header = f"{'fault kind':<18} {'target':<13} {'backend':<8} {'cases':>6} {'problems':>9}"
    lines = [header, "-" * len(header)]
    for (kind, target, backend), (cases, problems) in sorted(rows.items()):
        lines.append(f"{kind:<18} {target:<13} {backend:<8} {cases:>6} {problems:>9}")
    lines.append("-" * len(header))
    total = len(results)
    bad = sum(bool(r.problems) for r in results.values())
    lines.append(f"cases: {total}, problems: {bad}")
    return lines


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--slice", action="store_true", help="only the slice `make test` runs")
    parser.add_argument("--workers", type=int, default=12, help="cases run at once (default 12)")
    parser.add_argument("--details", action="store_true", help="list every problem on stderr")
    parser.add_argument("--json", metavar="FILE", help="write every case's outcome and problems to FILE")
    args = parser.parse_args(argv)

    cases = slice_cases() if args.slice else all_cases()
    server = new_server()
    started = time.monotonic()
    try:
        results = run_cases(cases, server, workers=args.workers)
    finally:
        server.close()
    elapsed = time.monotonic() - started

    if args.details:
        for res in sorted(results.values(), key=lambda r: r.case.id):
            for problem in res.problems:
                print(f"{res.case.id}: got {res.outcome} in {res.elapsed:.2f} s: {problem}", file=sys.stderr)
    if args.json:
        with open(args.json, "w", encoding="utf-8") as fh:
            json.dump(
                {
                    r.case.id: {
                        "outcome": r.outcome,
                        "elapsed": round(r.elapsed, 3),
                        "rerun": r.rerun,
                        "problems": r.problems,
                    }
                    for r in results.values()
                },
                fh,
                indent=1,
            )
    print(f"fault matrix: {len(results)} cases in {elapsed:.0f} s ({args.workers} at a time)")
    print("\n".join(_table(results)))
    return 1 if any(r.problems for r in results.values()) else 0


if __name__ == "__main__":
    sys.exit(main())
