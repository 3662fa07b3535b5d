#!/usr/bin/env bash
# `make contract`: the schemathesis CLI suite (contract/schemathesis.toml) against a K2 Connect API.
#
#   K2_BASE_URL       the API to test. Unset: a local sandbox is started on a free port and stopped at the
#                     end (callbacks recorded, never sent: fuzzed callback URLs point anywhere).
#                     Set (e.g. https://sandbox.kopokopo.com): tested as is, nothing is started.
#   K2_CLIENT_ID      OAuth client id      (default: the local sandbox's, sandbox-client-id)
#   K2_CLIENT_SECRET  OAuth client secret  (default: the local sandbox's, sandbox-client-secret)
#   ST_SEED           schemathesis seed    (default: the config's)
#   ST_REPORT_DIR     where the junit, json and ndjson reports go (default: st-report/, gitignored)
#   ST_ARGS           extra arguments for `schemathesis run` (e.g. "-n 10" for a quick run)
#
# Exits with schemathesis' exit code (0: every check passed and no fail-on warning was raised).
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$root"
bin=${BIN:-$root/.venv/bin}
spec=openapi/k2connect.yaml
config=contract/schemathesis.toml
report_dir=${ST_REPORT_DIR:-st-report}

# The config references these; a ${VAR} that is unset makes schemathesis refuse the config file.
export K2_CLIENT_ID=${K2_CLIENT_ID:-sandbox-client-id}
export K2_CLIENT_SECRET=${K2_CLIENT_SECRET:-sandbox-client-secret}

sandbox_pid=""
sandbox_log=""
stop_sandbox() {
    if [[ -n $sandbox_pid ]]; then
        kill "$sandbox_pid" 2>/dev/null || true  # the one process this script started, by its pid
        wait "$sandbox_pid" 2>/dev/null || true
        sandbox_pid=""
    fi
    if [[ -n $sandbox_log ]]; then
        rm -f "$sandbox_log"
    fi
}
trap stop_sandbox EXIT
trap 'exit 130' INT TERM

if [[ -z ${K2_BASE_URL:-} ]]; then
    sandbox_log=$(mktemp)
    # --port 0: the sandbox binds a free port itself and prints it, so there is no race for the port.
    "$bin/python" -m k2connect_sandbox --host 127.0.0.1 --port 0 --callback-delay 0 --no-deliver \
        --log-level warning >"$sandbox_log" 2>&1 &
    sandbox_pid=$!
    base_url=""
    for _ in $(seq 1 300); do
        base_url=$(sed -n 's/^url: //p' "$sandbox_log")
        [[ -n $base_url ]] && break
        if ! kill -0 "$sandbox_pid" 2>/dev/null; then
            echo "contract: the sandbox did not start:" >&2
            cat "$sandbox_log" >&2
            exit 1
        fi
        sleep 0.05
    done
    if [[ -z $base_url ]]; then
        echo "contract: the sandbox printed no URL within 15 s" >&2
        exit 1
    fi
    "$bin/python" - "$base_url/sandbox/health" <<'PY'
import sys
import time
import urllib.request

url, deadline = sys.argv[1], time.monotonic() + 15
while True:
    try:
        with urllib.request.urlopen(url, timeout=2) as response:
            if response.status == 200:
                break
    except OSError:
        pass
    if time.monotonic() > deadline:
        sys.exit(f"contract: {url} did not answer 200 within 15 s")
    time.sleep(0.05)
PY
    echo "contract: local sandbox at $base_url (pid $sandbox_pid)"
else
    base_url=${K2_BASE_URL%/}
    echo "contract: testing $base_url as client $K2_CLIENT_ID"
fi

rm -rf "$report_dir"
mkdir -p "$report_dir"
args=(run "$spec" --url "$base_url" --report-dir "$report_dir")
if [[ -n ${ST_SEED:-} ]]; then
    args+=(--seed "$ST_SEED")
fi
# shellcheck disable=SC2206  # word splitting of ST_ARGS is the point
args+=(${ST_ARGS:-})

set +e
"$bin/schemathesis" --config-file "$config" "${args[@]}"
status=$?
set -e
stop_sandbox
exit "$status"
