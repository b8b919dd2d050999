#!/usr/bin/env bash
# Contract tests (issue #16, SPEC §12): schemathesis, pinned, from PyPI,
# against the OpenAPI document of a real `attesta serve --demo` (the debug
# build), with a fixed seed, in three runs:
#   1. the back office's API key and a citizen's session (every operation
#      but the demo login, which would end that session);
#   2. an operator's session on the checks (level 1 and level 2);
#   3. no credentials: the demo login and every public operation.
# Every check schemathesis has runs; a server error, an undocumented
# status, a response off its schema, a schema-valid request refused with
# 400, or a schema-invalid one accepted fails the run.
# Usage: .ci/schemathesis.sh [MAX_EXAMPLES]   (default 20: the short mode CI runs)
set -euo pipefail
cd "$(dirname "$0")/.."
examples="${1:-20}"
version=4.32.5
venv=target/schemathesis-venv
if ! "$venv/bin/schemathesis" --version 2>/dev/null | grep -q "$version"; then
    python3 -m venv "$venv"
    "$venv/bin/pip" install --quiet --disable-pip-version-check "schemathesis==$version"
fi
bin="${ATTESTA_BIN:-target/debug/attesta}"
[ -x "$bin" ] || cargo build -p attesta
data="$(mktemp -d)"
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
base="http://127.0.0.1:$port"
export ST_ADMIN_KEY="schemathesis-$(od -An -tx1 -N16 /dev/urandom | tr -d ' \n')"
# The per-IP limit would answer 429 to most of the run (it is documented,
# and tested on its own): raised, so the operations themselves are tested.
env -u DATABASE_URL ATTESTA_ADMIN_API_KEY="$ST_ADMIN_KEY" \
    ATTESTA_RATE_LIMIT_PER_SECOND=100000 ATTESTA_RATE_LIMIT_BURST=100000 \
    ATTESTA_LOG=warn "$bin" --data-dir "$data" serve --demo --listen "127.0.0.1:$port" \
    >"$data/server.log" 2>&1 &
server=$!
trap 'kill $server 2>/dev/null || true; wait $server 2>/dev/null || true; rm -rf "$data"' EXIT
for _ in $(seq 1 100); do
    curl -fsS "$base/readyz" >/dev/null 2>&1 && break
    sleep 0.2
done
curl -fsS "$base/readyz" >/dev/null || { cat "$data/server.log"; exit 1; }

login() { # login ROLE FISCAL_CODE → the session cookie's value
    curl -fsS -D - -o /dev/null -X POST "$base/api/v1/demo/login" \
        -H 'Content-Type: application/json' \
        -d "{\"fiscal_code\": \"$2\", \"role\": \"$1\"}" |
        tr -d '\r' | sed -n 's/^[Ss]et-[Cc]ookie: attesta_session=\([^;]*\).*/\1/p'
}
# Mario Rossi: a demo holder with a QR, verbali, a card and applications.
citizen="$(login citizen RSSMRA80A01H501U)"
operator="$(login operator BNCGLI85M52A662K)"
[ -n "$citizen" ] && [ -n "$operator" ] || { echo "demo login failed"; exit 1; }

run() { # run NAME SESSION [schemathesis options…]
    local name=$1
    export ST_SESSION=$2
    shift 2
    echo "== schemathesis: $name"
    # One worker: hypothesis' lambda descriptions are not thread-safe on
    # Python 3.11 ("AST constructor recursion depth mismatch").
    "$venv/bin/schemathesis" --config-file .ci/schemathesis.toml run \
        "$base/api/v1/openapi.json" --checks all --seed 42 \
        --max-examples "$examples" --workers 1 --no-color \
        --header "Origin: $base" \
        --generation-database none --report junit --report-dir target/schemathesis "$@"
}
status=0
run "back office and citizen" "$citizen" --exclude-path /api/v1/demo/login || status=1
run "operator" "$operator" --include-path-regex '^/api/v1/verify' || status=1
run "no credentials" "none" --include-path-regex '^/(api/v1/(demo/|openapi|status-lists/|verify$)|\.well-known/|healthz|readyz|metrics)' || status=1
if [ "$status" -ne 0 ]; then
    echo "schemathesis found contract failures (above); the server's log:"
    tail -n 50 "$data/server.log"
fi
exit "$status"
