#!/usr/bin/env bash
# Runs one seed recipe with the real az CLI against `privlink up`, then its verification.
#
#   PRIVLINK_BIN=target/debug/privlink PRIVLINK_AZ=~/.cache/privlink/az-venv/bin/az \
#     bash scenarios/az/run.sh private-endpoints
#
# A recipe directory holds prereqs/ (ARM documents preloaded into the twin: what the seed assumes
# already exists), recipe.sh (the seed's az commands, verbatim apart from variable values) and
# verify.sh (what the seed's Verification section promises, asserted with privlink and az).
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
recipe="${1:?usage: run.sh RECIPE}"
dir="$here/$recipe"
[ -d "$dir" ] || { echo "no recipe $dir" >&2; exit 2; }
: "${PRIVLINK_BIN:?set PRIVLINK_BIN to the privlink binary}"
: "${PRIVLINK_AZ:?set PRIVLINK_AZ to an az executable}"
PRIVLINK_BIN="$(cd "$(dirname "$PRIVLINK_BIN")" && pwd)/$(basename "$PRIVLINK_BIN")"

work="$(mktemp -d)"
state="$work/state"
twin_pid=""
cleanup() {
  if [ -n "$twin_pid" ]; then kill -TERM "$twin_pid" 2>/dev/null || true; wait "$twin_pid" 2>/dev/null || true; fi
  rm -rf "$work"
}
trap cleanup EXIT

"$PRIVLINK_BIN" up --state "$state" --estate "$dir/prereqs" --no-dns --print-env >"$work/env.sh" 2>"$work/up.log" &
twin_pid=$!
for _ in $(seq 1 300); do [ -s "$state/twin.json" ] && break; sleep 0.1; done
[ -s "$state/twin.json" ] || { cat "$work/up.log" >&2; echo "privlink up did not start" >&2; exit 1; }

# The env file ends with `az cloud register/set` and `az login --identity`: run them with our az.
az() { "$PRIVLINK_AZ" "$@"; }
export -f az 2>/dev/null || true
export PRIVLINK_AZ PRIVLINK_BIN
export AZURE_CORE_SURVEY_MESSAGE=false AZURE_EXTENSION_USE_DYNAMIC_INSTALL=no AZURE_CORE_NO_COLOR=true
export AZURE_CORE_ONLY_SHOW_ERRORS=true
unset HTTP_PROXY HTTPS_PROXY http_proxy https_proxy ALL_PROXY
# shellcheck disable=SC1090
. "$work/env.sh" >"$work/login.log"
export PRIVLINK_STATE="$state"

# privlink against the live twin, for verify.sh.
privlink() { "$PRIVLINK_BIN" "$@" --state "$PRIVLINK_STATE"; }
export -f privlink
# Asserts with Python (the system's python3): `check 'expression over data' < json`.
check() { python3 -c "import json,sys; data=json.load(sys.stdin); ok=($1); sys.exit(0 if ok else 1)" || { echo "FAILED: $1" >&2; return 1; }; }
export -f check

echo "== $recipe: recipe"
( cd "$dir" && bash -euo pipefail -c '. ./recipe.sh' )
echo "== $recipe: verify"
( cd "$dir" && bash -euo pipefail -c '. ./verify.sh' )
if [ -f "$dir/cleanup.sh" ]; then
  echo "== $recipe: cleanup"
  ( cd "$dir" && bash -euo pipefail -c '. ./cleanup.sh' )
fi
echo "== $recipe: ok"
