#!/usr/bin/env bash
# `privlink run` against the same clients talking to the same services without the twin in the
# path (issue 20), each figure the median of N runs, measured and peer runs alternating:
#
#   1. start-up: launch of `privlink run --app app-flask-privlink -- sh -c '<dig until an address>'`
#      to the app's first DNS answer for kv-privlink-seed.vault.azure.net (from Azure DNS,
#      168.63.129.16, inside the run) — against launch of `privlink dns` (the twin's DNS face on
#      the built-in estate) to dig's first answer from the app's view address (127.53.x.y);
#   2. Key Vault face: wrk GETs of a secret with the app's token inside the run — against the same
#      wrk on the same face code on 127.0.0.1 (`faces_on_loopback`: no namespaces, veth, nftables
#      or per-request engine trace);
#   3. Redis TLS face: redis-benchmark (ping, set, get) with the key the engine says the app signs
#      in with, inside the run — against the same redis-benchmark on Debian's redis-server with TLS
#      on 127.0.0.1, and on the face alone on 127.0.0.1 (`faces_on_loopback`).
#
# Must run as root (privlink run creates network namespaces). Packets leave the host's loopback
# only inside the namespaces privlink run creates; every background process is stopped on exit.
#
# Usage: sudo bash benches/run/run.sh
#   N=5            runs per figure (the median is reported)
#   DURATION=10s   wrk's -d
#   REQUESTS=50000 redis-benchmark's -n
#   DNS_PORT=5300  the port `privlink dns` listens on for the start-up peer
#   REDIS_PORT=46380  the TLS port of the reference redis-server on 127.0.0.1
set -euo pipefail

N=${N:-5}
DURATION=${DURATION:-10s}
REQUESTS=${REQUESTS:-50000}
DNS_PORT=${DNS_PORT:-5300}
REDIS_PORT=${REDIS_PORT:-46380}
APP=app-flask-privlink
VAULT_HOST=kv-privlink-seed.vault.azure.net
CACHE_HOST=redis-privlink-seed.redis.cache.windows.net
AZURE_DNS=168.63.129.16

ROOT=$(cd "$(dirname "$0")/../.." && pwd)
cd "$ROOT"

if [ "$(id -u)" != 0 ]; then
  echo "benches/run/run.sh must run as root: privlink run creates network namespaces (sudo bash $0)" >&2
  exit 2
fi

missing=()
need() { command -v "$1" >/dev/null 2>&1 || missing+=("$1 (Debian package: $2)"); }
need wrk wrk
need redis-benchmark redis-tools
need redis-server redis-server
need dig bind9-dnsutils
need nft nftables
need ip iproute2
need openssl openssl
need curl curl
need unshare util-linux
need ss iproute2
if [ ${#missing[@]} -gt 0 ]; then
  echo "missing tools; install them (apt-get install …):" >&2
  printf '  %s\n' "${missing[@]}" >&2
  exit 2
fi
if ss -Hlun "sport = :$DNS_PORT" | grep -q .; then
  echo "UDP port $DNS_PORT is in use; choose another with DNS_PORT=…" >&2
  exit 2
fi
if ss -Hltn "sport = :$REDIS_PORT" | grep -q .; then
  echo "TCP port $REDIS_PORT is in use; choose another with REDIS_PORT=…" >&2
  exit 2
fi

flock /work/wt/build.lock cargo build --release -p privlink
flock /work/wt/build.lock cargo build --release -p privlink-twin --example faces_on_loopback
PRIVLINK=$ROOT/target/release/privlink
FACES=$ROOT/target/release/examples/faces_on_loopback

WORK=$(mktemp -d /tmp/privlink-bench-run.XXXXXX)
BACKGROUND=()
DNS_PID=
cleanup() {
  local pid
  for pid in "${BACKGROUND[@]}" $DNS_PID; do
    kill "$pid" 2>/dev/null || true
  done
  for pid in "${BACKGROUND[@]}" $DNS_PID; do
    wait "$pid" 2>/dev/null || true
  done
  rm -rf "$WORK"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

now() { date +%s.%N; }
elapsed_ms() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.1f", (b - a) * 1000 }'; }
median() { printf '%s\n' "$@" | sort -g | awk '{ v[NR] = $1 } END { if (NR % 2) print v[(NR + 1) / 2]; else print (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", a / b }'; }

# --- the inner scripts, run as the app inside `privlink run` (sh, the app's environment) --------

# Digs until an address comes back (at most 500 tries), then prints when.
cat >"$WORK/first-answer.sh" <<'EOF'
server=$1; name=$2; port=${3:-53}; tries=0
until dig +short +time=1 +tries=1 -p "$port" @"$server" "$name" | grep -Eq '^[0-9]+(\.[0-9]+){3}$'; do
  tries=$((tries + 1)); [ "$tries" -lt 500 ] || { echo "no address for $name from $server" >&2; exit 1; }
  sleep 0.01
done
date +%s.%N
EOF

# A token from App Service's token service for resource $1 (2019-08-01, X-IDENTITY-HEADER).
cat >"$WORK/token.sh" <<'EOF'
curl -sf -H "X-IDENTITY-HEADER: $IDENTITY_HEADER" \
  "$IDENTITY_ENDPOINT?resource=$1&api-version=2019-08-01" | jq -r .access_token
EOF

# PUTs the secret once, then wrk GETs it: $1 = base URL, $2 = duration; CA in $SSL_CERT_FILE,
# token in $TOKEN (else from the token service).
cat >"$WORK/vault.sh" <<'EOF'
set -e
url="$1/secrets/bench?api-version=7.4"
token=${TOKEN:-$(sh "$(dirname "$0")/token.sh" https://vault.azure.net)}
curl -sf --cacert "$SSL_CERT_FILE" -X PUT -H "Authorization: Bearer $token" -H 'Content-Type: application/json' \
  -d '{"value":"privlink-bench"}' "$url" >/dev/null
curl -sf --cacert "$SSL_CERT_FILE" -H "Authorization: Bearer $token" "$url" | grep -q privlink-bench
wrk -t2 -c16 -d"$2" -H "Authorization: Bearer $token" "$url"
EOF

# redis-benchmark over TLS: $1 host, $2 port, $3 password, $4 requests; CA in $SSL_CERT_FILE.
cat >"$WORK/redis.sh" <<EOF
redis-benchmark -h "\$1" -p "\$2" --tls --cacert "\$SSL_CERT_FILE" --sni $CACHE_HOST -a "\$3" \\
  -t ping,set,get -n "\$4" -c 16 -q 2>&1 | tr '\r' '\n' | grep 'requests per second'
EOF

# --- the peers ---------------------------------------------------------------------------------

# The same face code on loopback.
mkdir "$WORK/faces"
"$FACES" "$WORK/faces" >"$WORK/faces.out" 2>"$WORK/faces.err" &
BACKGROUND+=($!)
for _ in $(seq 100); do grep -q '^ready' "$WORK/faces.out" 2>/dev/null && break; sleep 0.1; done
grep -q '^ready' "$WORK/faces.out" || { cat "$WORK/faces.err" >&2; echo "faces_on_loopback did not start" >&2; exit 1; }
FACES_HTTPS_PORT=$(awk '/^https/ { n = split($2, a, ":"); print a[n] }' "$WORK/faces.out")
FACES_REDIS_PORT=$(awk '/^redis-tls/ { n = split($2, a, ":"); print a[n] }' "$WORK/faces.out")
FACES_CA=$(awk '/^ca/ { print $2 }' "$WORK/faces.out")
FACES_TOKEN=$(awk '/^vault-token/ { print $2 }' "$WORK/faces.out")
# wrk sends the URL's host as SNI, which the face dispatches on: the names map to 127.0.0.1 in a
# private /etc/hosts, seen only by the peer's clients (a mount namespace of their own).
{ cat /etc/hosts; echo "127.0.0.1 $VAULT_HOST $CACHE_HOST"; } >"$WORK/hosts"
on_loopback() { unshare -m sh -c 'mount --bind "$0" /etc/hosts && exec "$@"' "$WORK/hosts" "$@"; }

# Debian's redis-server itself with TLS, a self-signed certificate for the cache's name.
openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj "/CN=$CACHE_HOST" \
  -addext "subjectAltName=DNS:$CACHE_HOST,IP:127.0.0.1" \
  -keyout "$WORK/redis.key" -out "$WORK/redis.crt" 2>/dev/null
REDIS_PASSWORD=$(openssl rand -hex 16)
mkdir "$WORK/redis"
printf 'requirepass %s\n' "$REDIS_PASSWORD" | redis-server - --bind 127.0.0.1 --port 0 --tls-port "$REDIS_PORT" \
  --tls-cert-file "$WORK/redis.crt" --tls-key-file "$WORK/redis.key" --tls-auth-clients no \
  --save '' --appendonly no --dir "$WORK/redis" >"$WORK/redis.log" 2>&1 &
BACKGROUND+=($!)
for _ in $(seq 100); do ss -Hltn "sport = :$REDIS_PORT" | grep -q . && break; sleep 0.1; done

# The app's view address on the DNS face (printed at start; the same every start).
"$PRIVLINK" dns --port "$DNS_PORT" >"$WORK/dns.out" 2>&1 &
DNS_PID=$!
for _ in $(seq 100); do grep -q "/sites/$APP\$" "$WORK/dns.out" 2>/dev/null && break; sleep 0.05; done
VIEW=$(awk -v app="/sites/$APP" 'index($2, app) && substr($2, length($2) - length(app) + 1) == app { split($1, a, ":"); print a[1] }' "$WORK/dns.out")
kill "$DNS_PID"; wait "$DNS_PID" 2>/dev/null || true
DNS_PID=
[ -n "$VIEW" ] || { cat "$WORK/dns.out" >&2; echo "privlink dns printed no view for $APP" >&2; exit 1; }

# --- one run of each (each sets RESULT; called in this shell, so a failure stops the script) -------

# privlink run's start-up: RESULT="total_ms app_started_ms" (launch → first answer, launch → the
# app's command started).
startup_run() {
  local t0 out
  t0=$(now)
  out=$("$PRIVLINK" run --app "$APP" --host-port 0 -- sh -c 'date +%s.%N; sh "$0" "$@"' \
    "$WORK/first-answer.sh" "$AZURE_DNS" "$VAULT_HOST" 2>"$WORK/run.err") || { cat "$WORK/run.err" >&2; exit 1; }
  RESULT="$(elapsed_ms "$t0" "$(echo "$out" | tail -1)") $(elapsed_ms "$t0" "$(echo "$out" | head -1)")"
}

# The DNS face's start-up: launch of `privlink dns` to dig's first answer from the app's view.
startup_peer() {
  local t0 t1
  t0=$(now)
  "$PRIVLINK" dns --port "$DNS_PORT" >/dev/null 2>&1 &
  DNS_PID=$!
  t1=$(sh "$WORK/first-answer.sh" "$VIEW" "$VAULT_HOST" "$DNS_PORT") || exit 1
  kill "$DNS_PID"; wait "$DNS_PID" 2>/dev/null || true
  DNS_PID=
  RESULT=$(elapsed_ms "$t0" "$t1")
}

# wrk's requests/s, after checking every answer was a 2xx and no socket errored.
wrk_rps() {
  local out=$1
  if grep -q 'Non-2xx' "$out"; then echo "wrk saw non-2xx answers:" >&2; cat "$out" >&2; exit 1; fi
  if grep -q 'Socket errors' "$out"; then echo "wrk saw socket errors:" >&2; cat "$out" >&2; exit 1; fi
  RESULT=$(awk '/^Requests\/sec:/ { print $2 }' "$out")
}

vault_run() {
  "$PRIVLINK" run --app "$APP" --host-port 0 -- sh "$WORK/vault.sh" "https://$VAULT_HOST" "$DURATION" \
    >"$WORK/wrk.out" 2>"$WORK/run.err" || { cat "$WORK/run.err" "$WORK/wrk.out" >&2; exit 1; }
  wrk_rps "$WORK/wrk.out"
}

vault_peer() {
  SSL_CERT_FILE=$FACES_CA TOKEN=$FACES_TOKEN on_loopback sh "$WORK/vault.sh" \
    "https://$VAULT_HOST:$FACES_HTTPS_PORT" "$DURATION" >"$WORK/wrk.out" 2>&1 || { cat "$WORK/wrk.out" >&2; exit 1; }
  wrk_rps "$WORK/wrk.out"
}

# redis-benchmark's requests/s for PING_INLINE PING_MBULK SET GET: RESULT holds the four.
redis_rps() {
  local out=$1
  if [ "$(grep -c 'requests per second' "$out")" != 4 ]; then
    echo "redis-benchmark did not finish its four tests:" >&2; cat "$out" >&2; exit 1
  fi
  RESULT=$(awk '{ printf "%s ", $2 }' "$out")
}

# Inside the run: the engine says the seed's app signs in to the cache with a key (the cache has
# no Entra authentication), so redis-benchmark AUTHs with one, without a user.
redis_run() {
  "$PRIVLINK" run --app "$APP" --host-port 0 -- sh "$WORK/redis.sh" "$CACHE_HOST" 6380 the-caches-access-key \
    "$REQUESTS" >"$WORK/redis.out" 2>"$WORK/run.err" || true
  redis_rps "$WORK/redis.out"
}

redis_face_alone() {
  SSL_CERT_FILE=$FACES_CA on_loopback sh "$WORK/redis.sh" "$CACHE_HOST" "$FACES_REDIS_PORT" \
    the-caches-access-key "$REQUESTS" >"$WORK/redis.out" 2>&1 || true
  redis_rps "$WORK/redis.out"
}

redis_peer() {
  SSL_CERT_FILE=$WORK/redis.crt sh "$WORK/redis.sh" 127.0.0.1 "$REDIS_PORT" "$REDIS_PASSWORD" "$REQUESTS" \
    >"$WORK/redis.out" 2>&1 || true
  redis_rps "$WORK/redis.out"
}

# --- the runs, alternating -----------------------------------------------------------------------

echo "warm-up: one untimed run of each start-up" >&2
startup_run
startup_peer

declare -a S_RUN S_APP S_PEER KV_RUN KV_PEER
declare -a R_RUN_PI R_RUN_PM R_RUN_SET R_RUN_GET R_FACE_PI R_FACE_PM R_FACE_SET R_FACE_GET R_PEER_PI R_PEER_PM R_PEER_SET R_PEER_GET
for i in $(seq "$N"); do
  startup_run; read -r total app_started <<<"$RESULT"; S_RUN+=("$total"); S_APP+=("$app_started")
  startup_peer; S_PEER+=("$RESULT")
  vault_run; KV_RUN+=("$RESULT")
  vault_peer; KV_PEER+=("$RESULT")
  redis_run; read -r a b c d <<<"$RESULT"; R_RUN_PI+=("$a"); R_RUN_PM+=("$b"); R_RUN_SET+=("$c"); R_RUN_GET+=("$d")
  redis_face_alone; read -r a b c d <<<"$RESULT"; R_FACE_PI+=("$a"); R_FACE_PM+=("$b"); R_FACE_SET+=("$c"); R_FACE_GET+=("$d")
  redis_peer; read -r a b c d <<<"$RESULT"; R_PEER_PI+=("$a"); R_PEER_PM+=("$b"); R_PEER_SET+=("$c"); R_PEER_GET+=("$d")
  echo "run $i/$N: start-up ${S_RUN[-1]} ms (app started at ${S_APP[-1]} ms) / DNS face ${S_PEER[-1]} ms;" \
    "Key Vault ${KV_RUN[-1]} / ${KV_PEER[-1]} req/s;" \
    "Redis SET ${R_RUN_SET[-1]} / face alone ${R_FACE_SET[-1]} / redis-server ${R_PEER_SET[-1]} req/s" >&2
done

row() { # measure, unit, measured runs…, --, peer runs…
  local measure=$1 unit=$2; shift 2
  local measured=() peer=()
  while [ "$1" != -- ]; do measured+=("$1"); shift; done
  shift
  peer=("$@")
  local m p
  m=$(median "${measured[@]}"); p=$(median "${peer[@]}")
  printf '| %s | %s %s | %s %s | %s |\n' "$measure" "$m" "$unit" "$p" "$unit" "$(ratio "$m" "$p")"
}

echo
echo "privlink at $(git rev-parse --short HEAD); $(nproc) cores, $(awk '/MemTotal/ { print $2, $3 }' /proc/meminfo), $(awk -F': ' '/model name/ { print $2; exit }' /proc/cpuinfo); load average $(cut -d' ' -f1-3 /proc/loadavg); median of $N runs"
echo
echo "| measure | privlink run | peer | ratio |"
echo "|---|---|---|---|"
row "start-up to the first DNS answer (peer: \`privlink dns\` launch to dig's first answer)" ms "${S_RUN[@]}" -- "${S_PEER[@]}"
row "Key Vault GET secret, wrk -t2 -c16 -d$DURATION (peer: the face on 127.0.0.1)" req/s "${KV_RUN[@]}" -- "${KV_PEER[@]}"
for t in PING_INLINE:PI PING_MBULK:PM SET:SET GET:GET; do
  name=${t%%:*}; key=${t##*:}
  run_var="R_RUN_$key[@]"; face_var="R_FACE_$key[@]"; peer_var="R_PEER_$key[@]"
  row "Redis TLS $name, redis-benchmark -c 16 -n $REQUESTS (peer: redis-server TLS)" req/s "${!run_var}" -- "${!peer_var}"
  row "Redis TLS $name, the face alone on 127.0.0.1 (peer: redis-server TLS)" req/s "${!face_var}" -- "${!peer_var}"
done
echo
echo "privlink run's launch to the app's command starting: median $(median "${S_APP[@]}") ms"
echo "raw: start-up run ${S_RUN[*]} / peer ${S_PEER[*]} ms; Key Vault run ${KV_RUN[*]} / peer ${KV_PEER[*]} req/s"
echo "raw: Redis SET run ${R_RUN_SET[*]} / face alone ${R_FACE_SET[*]} / redis-server ${R_PEER_SET[*]} req/s"
