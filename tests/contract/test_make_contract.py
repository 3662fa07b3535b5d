"""`make contract`: the schemathesis CLI suite against a sandbox the script starts, end to end.

Runs the real command in a subprocess (bounded), requires exit code 0, then reads the reports: the JSON
run report (operations, cases, failures), the JUnit file (one test case per operation plus the stateful
suite) and the NDJSON event stream (every check run of every case, which the other two do not count).
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
import xml.etree.ElementTree as ET
from collections import Counter
from pathlib import Path

import pytest
import yaml

pytestmark = [pytest.mark.contract, pytest.mark.sandbox, pytest.mark.slow]

ROOT = Path(__file__).resolve().parents[2]
# Every operation of the spec is selected and tested.
OPERATIONS = sum(
    method in ("get", "post", "put", "patch", "delete")
    for item in yaml.safe_load((ROOT / "openapi" / "k2connect.yaml").read_text())["paths"].values()
    for method in item
)
TIMEOUT = 240  # the run takes about 45 s on 2 cores; the bound only stops a hang
BUILTIN_CHECKS = {
    "not_a_server_error",
    "status_code_conformance",
    "content_type_conformance",
    "response_headers_conformance",
    "response_schema_conformance",
    "negative_data_rejection",
    "positive_data_acceptance",
    "missing_required_header",
    "unsupported_method",
    "allow_header_conformance",
    "use_after_free",
    "ensure_resource_availability",
    "ignored_auth",
    "object_level_authorization",
}


def _one(directory: Path, pattern: str) -> Path:
    (found,) = directory.glob(pattern)
    return found


@pytest.mark.skipif(shutil.which("make") is None, reason="needs make")
def test_make_contract_passes_against_its_own_sandbox(tmp_path: Path) -> None:
    reports = tmp_path / "st-report"
    # A developer may have K2_BASE_URL & co. exported for the examples: this test is about the local run.
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in {"K2_BASE_URL", "K2_CLIENT_ID", "K2_CLIENT_SECRET", "ST_SEED", "ST_ARGS", "MAKEFLAGS"}
    }
    env["ST_REPORT_DIR"] = str(reports)
    # BIN: the interpreter running these tests; -o: never (re)install the venv from inside a test.
    command = ["make", "--no-print-directory", "-o", ".venv/.installed", f"BIN={Path(sys.executable).parent}"]
    started = time.monotonic()
    result = subprocess.run(
        [*command, "contract"], cwd=ROOT, env=env, capture_output=True, text=True, timeout=TIMEOUT
    )
    elapsed = time.monotonic() - started
    assert result.returncode == 0, result.stdout[-6000:] + result.stderr[-3000:]
    assert "contract: local sandbox at http://127.0.0.1:" in result.stdout

    run = json.loads(_one(reports, "json-*.json").read_text())
    assert run["exit_code"] == 0 and run["complete"] and run["stop_reason"] == "completed"
    assert run["operations"]["tested"] == run["operations"]["selected"] == OPERATIONS
    assert run["test_cases"]["with_failures"] == 0 and run["failures"] == [] and run["errors"] == []
    assert run["warnings"]["missing_auth"] == []
    assert {name: phase["status"] for name, phase in run["phases"].items()} == {
        "examples": "success",  # the SDKs' request shapes, replayed from the spec's request examples
        "coverage": "success",
        "fuzzing": "success",
        "stateful": "success",
    }

    suite = ET.parse(_one(reports, "junit-*.xml")).getroot()
    assert (suite.get("failures"), suite.get("errors")) == ("0", "0")
    junit_cases = [case.get("name") for case in suite.iter("testcase")]
    assert len(junit_cases) == OPERATIONS + 1  # one per operation, plus the stateful suite

    checks: Counter[str] = Counter()
    failed: Counter[str] = Counter()
    labels: set[str] = set()
    cases = 0
    with _one(reports, "ndjson-*.ndjson").open(encoding="utf-8") as events:
        for line in events:
            if not line.startswith('{"ScenarioFinished"'):
                continue
            recorder = json.loads(line)["ScenarioFinished"]["recorder"]
            labels.add(recorder["label"])
            cases += len(recorder.get("cases") or {})
            for results in (recorder.get("checks") or {}).values():
                for check in results:
                    checks[check["name"]] += 1
                    if check["status"] != "success":
                        failed[check["name"]] += 1
    assert len(labels - {"Stateful tests"}) == OPERATIONS, sorted(labels)
    assert set(checks) == BUILTIN_CHECKS, set(checks) ^ BUILTIN_CHECKS
    assert failed == Counter()
    assert cases >= run["test_cases"]["generated"] > 1000

    summary = (
        f"make contract: {elapsed:.0f} s, rc 0; operations tested {run['operations']['tested']}; "
        f"cases generated {run['test_cases']['generated']} (recorded incl. stateful: {cases}); "
        f"check runs {sum(checks.values())} over {len(checks)} checks, failures {sum(failed.values())}; "
        f"schemathesis running time {run['running_time']:.0f} s"
    )
    print(summary)
    print("\n".join(f"  {name}: {count}" for name, count in sorted(checks.items())))
