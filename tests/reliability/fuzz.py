"""``make fuzz``: run the hypothesis fuzz tests of ``tests/reliability`` with enough examples for the target
total (100,000 by default), count the cases hypothesis really ran, and fail below the target.

    python -m tests.reliability.fuzz [--target N] [pytest args...]

The fuzz tests read ``K2_FUZZ_EXAMPLES`` (their ``max_examples``). It is set to the target divided by the
number of collected fuzz tests, with a margin for tests whose strategy runs out of new inputs early; an
explicit ``K2_FUZZ_EXAMPLES`` in the environment wins. The count is hypothesis' own ("N passing, M
failing"), summed over every test and phase, so a test that stops early is not counted as if it had not.
"""

from __future__ import annotations

import argparse
import math
import os
import re
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
# "300 passing, 0 failing, and 0 invalid test cases" (hypothesis >= 6.1xx) or "... passing examples, ..."
_COUNTS = re.compile(r"(\d+) passing(?: examples)?, (\d+) failing")
_MARGIN = 1.2


def fuzz_files() -> list[str]:
    return sorted(str(p.relative_to(ROOT)) for p in HERE.glob("test_*fuzz*.py"))


def _pytest(args: list[str], env: dict[str, str], capture: bool) -> subprocess.CompletedProcess[str]:
    command = [sys.executable, "-m", "pytest", "-p", "no:cacheprovider", *args]
    return subprocess.run(command, cwd=ROOT, env=env, text=True, capture_output=capture, check=False)


def _stream(args: list[str], env: dict[str, str]) -> tuple[int, str]:
    """Run pytest, echoing its output as it comes (a long run shows progress) and keeping it to count."""
    command = [sys.executable, "-m", "pytest", "-p", "no:cacheprovider", *args]
    lines: list[str] = []
    with subprocess.Popen(
        command, cwd=ROOT, env=env, text=True, stdout=subprocess.PIPE, stderr=subprocess.STDOUT
    ) as proc:
        assert proc.stdout is not None
        for line in proc.stdout:
            sys.stdout.write(line)
            sys.stdout.flush()
            lines.append(line)
    return proc.returncode, "".join(lines)


def count_cases(output: str) -> int:
    return sum(int(passing) + int(failing) for passing, failing in _COUNTS.findall(output))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--target", type=int, default=int(os.environ.get("K2_FUZZ_TARGET", "100000")))
    args, extra = parser.parse_known_args(argv)

    files = fuzz_files()
    if not files:
        print("fuzz: no tests/reliability/test_*fuzz*.py found", file=sys.stderr)
        return 1
    env = dict(os.environ)
    collected = _pytest(["--collect-only", "-q", *files, *extra], env, capture=True)
    tests = [line for line in collected.stdout.splitlines() if "::" in line]
    if collected.returncode != 0 or not tests:
        print(collected.stdout + collected.stderr, file=sys.stderr)
        print("fuzz: could not collect the fuzz tests", file=sys.stderr)
        return 1
    if "K2_FUZZ_EXAMPLES" not in env:
        env["K2_FUZZ_EXAMPLES"] = str(math.ceil(args.target / len(tests) * _MARGIN))
    print(f"fuzz: {len(tests)} tests in {', '.join(files)}; K2_FUZZ_EXAMPLES={env['K2_FUZZ_EXAMPLES']}")
    sys.stdout.flush()

    returncode, output = _stream(["-q", "--hypothesis-show-statistics", *files, *extra], env)
    total = count_cases(output)
    print(f"fuzz cases: {total} (target {args.target}), pytest exit {returncode}")
    if returncode != 0:
        return returncode
    if total < args.target:
        print(f"fuzz: only {total} cases ran; raise K2_FUZZ_EXAMPLES", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
