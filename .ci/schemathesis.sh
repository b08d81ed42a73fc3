#!/usr/bin/env bash
# The served OpenAPI document, tried by schemathesis against the demo city: once signed in
# as the bureau (bearer token), once as a department's app (X-Api-Key). No answer may be a
# 5xx, and every answer must match the schema and content type the document gives it.
#
#   .ci/schemathesis.sh BINARY [MAX_EXAMPLES]
set -euo pipefail
bin="$1"
examples="${2:-30}"
work="$(mktemp -d)"
port=$((20000 + RANDOM % 20000))
base="http://127.0.0.1:$port"

if ! command -v schemathesis >/dev/null; then
  pip install --quiet 'schemathesis==4.32.5'
fi

GOVSHARE_DATA_DIR="$work/data" GOVSHARE_LISTEN="127.0.0.1:$port" GOVSHARE_LOG=warn \
  "$bin" demo --persons 300 >"$work/demo.log" 2>&1 &
server=$!
trap 'kill $server 2>/dev/null || true; wait $server 2>/dev/null || true; rm -rf "$work"' EXIT
for _ in $(seq 1 300); do
  curl -fs "$base/healthz" >/dev/null 2>&1 && break
  kill -0 $server 2>/dev/null || { cat "$work/demo.log"; exit 1; }
  sleep 1
done

token="$(curl -fs -X POST "$base/api/v1/auth/login" -H 'Content-Type: application/json' \
  -d '{"username":"admin","password":"Admin@2026"}' | python3 -c 'import json,sys; print(json.load(sys.stdin)["token"])')"
app_key="$(grep -o 'gsk_[A-Za-z0-9_]*' "$work/demo.log" | head -1)"
[ -n "$token" ] && [ -n "$app_key" ] || { echo "no token or app key"; cat "$work/demo.log"; exit 1; }

# schemathesis keeps its reports and example database in the working directory.
bin="$(realpath "$bin")"
cd "$work"
checks=not_a_server_error,status_code_conformance,content_type_conformance,response_schema_conformance
# One worker: with two, hypothesis describes its filters by parsing source in two threads
# at once, which CPython 3.11 can fail with "AST constructor recursion depth mismatch" (a
# runtime error of the tool, not of the API).
common=(--checks "$checks" --phases examples,coverage,fuzzing --workers 1 --request-timeout 30
  --suppress-health-check all --warnings off)

echo "--- signed in as the bureau"
schemathesis run "$base/api/v1/openapi.json" "${common[@]}" \
  --max-examples "$examples" --seed 2026 --generation-database none \
  -H "Authorization: Bearer $token" \
  --exclude-path /api/v1/auth/logout \
  --exclude-path-regex '^/api/v1/share/\{class\}/\{seq\}/(changes|corrections|files|lookup|query|refs|rows|verify)'

echo "--- as a department's app"
schemathesis run "$base/api/v1/openapi.json" "${common[@]}" \
  --max-examples "$examples" --seed 2026 --generation-database none \
  -H "X-Api-Key: $app_key" \
  --include-path-regex '^/api/v1/share/\{class\}/\{seq\}/(changes|corrections|files|lookup|query|refs|rows|verify)'
