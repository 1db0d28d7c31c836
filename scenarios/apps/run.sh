#!/usr/bin/env bash
# The seeds' Flask app inside the twin, with real packets and the real client libraries:
#
#   sudo PRIVLINK_BIN=target/debug/privlink PRIVLINK_AZ=~/.cache/privlink/az-venv/bin/az \
#     PRIVLINK_CLIENTS_PYTHON=~/.cache/privlink/clients-venv/bin/python bash scenarios/apps/run.sh
#
# 1. `privlink up` with seed 000's prerequisites; the seed's az commands (scenarios/az/private-endpoints);
#    privlink check's fixes for what the seed leaves out (the private DNS zones and their links).
# 2. The app under `privlink run --state`: /health is healthy, every name resolves private.
# 3. One az change — the SQL zone's VNet link deleted: SQL resolves public and the login fails with
#    47073, as in Azure; Redis and Key Vault stay healthy.
# 4. privlink check's fix command, run as printed: healthy again.
#
# Needs root (network namespaces), nftables, redis-server, and the venvs .ci/run installs.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
: "${PRIVLINK_BIN:?set PRIVLINK_BIN to the privlink binary}"
: "${PRIVLINK_AZ:?set PRIVLINK_AZ to an az executable}"
: "${PRIVLINK_CLIENTS_PYTHON:?set PRIVLINK_CLIENTS_PYTHON to a python with scenarios/apps/flask-seed/requirements.txt}"
PRIVLINK_BIN="$(cd "$(dirname "$PRIVLINK_BIN")" && pwd)/$(basename "$PRIVLINK_BIN")"
recipe="$root/scenarios/az/private-endpoints"
APP_NAME=app-flask-pe
RG=rg-flask-pe

work="$(mktemp -d)"
state="$work/state"
twin_pid=""
app_pid=""
cleanup() {
  if [ -n "$app_pid" ]; then kill -TERM "$app_pid" 2>/dev/null || true; wait "$app_pid" 2>/dev/null || true; fi
  if [ -n "$twin_pid" ]; then kill -TERM "$twin_pid" 2>/dev/null || true; wait "$twin_pid" 2>/dev/null || true; fi
  rm -rf "$work"
}
trap cleanup EXIT
fail() { echo "FAILED: $*" >&2; [ -f "$work/run.log" ] && sed 's/^/  run: /' "$work/run.log" >&2; exit 1; }

echo "== privlink up (seed 000's prerequisites)"
"$PRIVLINK_BIN" up --state "$state" --estate "$recipe/prereqs" --no-dns --print-env >"$work/env.sh" 2>"$work/up.log" &
twin_pid=$!
for _ in $(seq 1 300); do [ -s "$state/twin.json" ] && break; sleep 0.1; done
[ -s "$state/twin.json" ] || { cat "$work/up.log" >&2; fail "privlink up did not start"; }

az() { "$PRIVLINK_AZ" "$@"; }
export -f az 2>/dev/null || true
export PRIVLINK_AZ AZURE_CORE_SURVEY_MESSAGE=false AZURE_EXTENSION_USE_DYNAMIC_INSTALL=no AZURE_CORE_NO_COLOR=true
export AZURE_CORE_ONLY_SHOW_ERRORS=true
unset HTTP_PROXY HTTPS_PROXY http_proxy https_proxy ALL_PROXY
# shellcheck disable=SC1090
. "$work/env.sh" >"$work/login.log"
privlink() { "$PRIVLINK_BIN" "$@" --state "$state"; }

echo "== the seed's az commands"
( cd "$recipe" && TMPDIR="$work" bash -euo pipefail -c '. ./recipe.sh' ) >"$work/recipe.log"

# Runs the az commands of every error and warning privlink check fixes, until none is left.
apply_fixes() {
  for _ in 1 2 3; do
    privlink check --format json >"$work/findings.json" || true
    python3 - "$work/findings.json" >"$work/fixes.sh" <<'PY'
import json, sys
for f in json.load(open(sys.argv[1]))["findings"]:
    if f["severity"] in ("error", "warning") and f.get("fix"):
        for cmd in f["fix"]["az"]:
            print(cmd + " --output none")
PY
    [ -s "$work/fixes.sh" ] || return 0
    sed 's/^/  fix: /' "$work/fixes.sh"
    bash -eu "$work/fixes.sh"
  done
}
echo "== privlink check's fixes (the private DNS zones the seed leaves out)"
apply_fixes

echo "== the app under privlink run"
port=$("$PRIVLINK_CLIENTS_PYTHON" -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
"$PRIVLINK_BIN" run --state "$state" --app "$APP_NAME" --port 8000 --host-port "$port" \
  -- "$PRIVLINK_CLIENTS_PYTHON" "$here/flask-seed/app.py" >"$work/run.log" 2>&1 &
app_pid=$!

health() { curl -s -m 60 "http://127.0.0.1:$port/health" >"$work/health.json" || true; }
expect() { python3 -c "import json,sys; d=json.load(open('$work/health.json')); sys.exit(0 if ($1) else 1)" 2>/dev/null || { cat "$work/health.json" >&2; fail "$2"; }; }
for _ in $(seq 1 120); do curl -s -m 2 -o /dev/null "http://127.0.0.1:$port/health" && break; sleep 0.5; done
health
private='all(a.startswith("10.") for a in d["dependencies"][k]["addresses"])'
expect "d['status'] == 'healthy' and all($private for k in d['dependencies'])" "the app is not healthy inside the twin"
echo "   healthy: $(python3 -c "import json; d=json.load(open('$work/health.json')); print(', '.join(f'{k} {v[\"host\"]} → {v[\"addresses\"][0]}' for k, v in d['dependencies'].items()))")"

echo "== one az change: delete the SQL zone's VNet link"
zone=privatelink.database.windows.net
link=$(az network private-dns link vnet list -g "$RG" -z "$zone" --query "[0].name" -o tsv)
[ -n "$link" ] || fail "no VNet link on $zone"
az network private-dns link vnet delete -g "$RG" -z "$zone" -n "$link" --yes --output none
sleep 2
health
# mssql-python reports Azure SQL's message without its number (47073's text is unique to it).
refused_47073="('47073' in d['dependencies']['sql']['error'] or 'The public network interface on this server is not accessible' in d['dependencies']['sql']['error'])"
expect "d['status'] == 'unhealthy' and not d['dependencies']['sql']['ok'] and $refused_47073 and not d['dependencies']['sql']['addresses'][0].startswith('10.') and d['dependencies']['redis']['ok'] and d['dependencies']['key_vault']['ok']" \
  "after the link was deleted, SQL did not fail with 47073 on a public address"
echo "   sql: $(python3 -c "import json; d=json.load(open('$work/health.json'))['dependencies']['sql']; print(d['addresses'][0], '—', d['error'][:160])")"

echo "== privlink check's fix"
privlink check --format json >"$work/after.json" && fail "privlink check passed with the SQL zone unlinked"
python3 -c "import json; d=json.load(open('$work/after.json')); assert any(f['code'] == 'DNS101' for f in d['findings']), 'no DNS101'" || fail "check did not report DNS101"
apply_fixes
sleep 2
health
expect "d['status'] == 'healthy' and all($private for k in d['dependencies'])" "the app is not healthy again after the fix"
echo "== ok: healthy, broken by one az change (47073 on a public address), healthy after privlink check's fix"
