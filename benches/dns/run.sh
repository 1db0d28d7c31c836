#!/usr/bin/env bash
# The DNS face against a reference authoritative server, in the same run, on loopback only.
#
#   benches/dns/run.sh [SECONDS]        (default 10 s per throughput run)
#
# 1. builds the `dns_bench` example (release) and writes, from the seed estate, the answers of
#    vnet-app's view as one authoritative zone (root.zone) plus the dnsperf query file;
# 2. starts the twin's DNS face (every view on 127.53.x.y:PORT) and NSD serving root.zone on
#    127.54.0.53:PORT (server-count 2 with SO_REUSEPORT; the twin runs 2 tokio workers);
# 3. for each server: a throughput run (dnsperf, 8 clients, 200 outstanding, SECONDS s) and a
#    latency run at a fixed 2000 queries/s for 5 s with per-query latencies (-v), from which the
#    percentiles are computed;
# 4. prints queries/s, latency percentiles and the ratio twin / NSD.
#
# Needs Debian's dnsperf and nsd (apt-get install -y dnsperf nsd). Nothing leaves the machine:
# both servers bind 127.x addresses and dnsperf only sends to them.
set -euo pipefail

SECONDS_PER_RUN="${1:-10}"
PORT="${DNS_BENCH_PORT:-5391}"
NSD_ADDRESS=127.54.0.53
ROOT="$(cd "$(dirname "$0")/../.." && pwd)"
WORK="$(mktemp -d /tmp/privlink-dns-bench.XXXXXX)"
TWIN_PID=""
NSD_PID_FILE="$WORK/nsd.pid"

cleanup() {
    [ -n "$TWIN_PID" ] && kill "$TWIN_PID" 2>/dev/null || true
    [ -f "$NSD_PID_FILE" ] && kill "$(cat "$NSD_PID_FILE")" 2>/dev/null || true
    sleep 0.3
    rm -rf "$WORK"
}
trap cleanup EXIT

for tool in dnsperf nsd python3; do
    command -v "$tool" >/dev/null || [ -x "/usr/sbin/$tool" ] || { echo "missing: $tool (apt-get install -y dnsperf nsd)" >&2; exit 2; }
done
NSD="$(command -v nsd || echo /usr/sbin/nsd)"

cd "$ROOT"
cargo build --release -q -p privlink-twin --example dns_bench
BENCH="$ROOT/target/release/examples/dns_bench"
"$BENCH" zone "$WORK"

# The twin's DNS face.
"$BENCH" serve "$PORT" >"$WORK/mapping.txt" 2>"$WORK/twin.log" &
TWIN_PID=$!
for _ in $(seq 50); do grep -q virtualNetworks/vnet-app "$WORK/mapping.txt" 2>/dev/null && break; sleep 0.1; done
TWIN_ADDRESS="$(grep 'virtualNetworks/vnet-app$' "$WORK/mapping.txt" | cut -d: -f1)"
[ -n "$TWIN_ADDRESS" ] || { echo "the twin did not start:"; cat "$WORK/twin.log"; exit 1; }

# NSD with the same answers.
cat >"$WORK/nsd.conf" <<EOF
server:
    ip-address: $NSD_ADDRESS@$PORT
    do-ip6: no
    server-count: 2
    reuseport: yes
    minimal-responses: yes
    username: ""
    chroot: ""
    database: ""
    zonelistfile: "$WORK/zone.list"
    xfrdfile: "$WORK/xfrd.state"
    xfrdir: "$WORK"
    pidfile: "$NSD_PID_FILE"
    logfile: "$WORK/nsd.log"
    zonesdir: "$WORK"
    verbosity: 0
    hide-version: yes
    # NSD's response rate limiting (200 q/s per client /24 by default) would drop the benchmark.
    rrl-ratelimit: 0
    rrl-whitelist-ratelimit: 0
remote-control:
    control-enable: no
zone:
    name: "."
    zonefile: "$WORK/root.zone"
EOF
"$NSD" -c "$WORK/nsd.conf"
for _ in $(seq 50); do [ -s "$NSD_PID_FILE" ] && break; sleep 0.1; done
sleep 0.5

# Both must answer the same before they are compared.
first="$(head -1 "$WORK/queries.txt" | cut -d' ' -f1)"
twin_answer="$(dig +short -p "$PORT" "@$TWIN_ADDRESS" "$first" | tail -1)"
nsd_answer="$(dig +short -p "$PORT" "@$NSD_ADDRESS" "$first" | tail -1)"
echo "check: $first -> twin $twin_answer, nsd $nsd_answer"
[ "$twin_answer" = "$nsd_answer" ] || { echo "the servers disagree"; exit 1; }

throughput() { # server -> dnsperf summary
    dnsperf -s "$1" -p "$PORT" -d "$WORK/queries.txt" -l "$SECONDS_PER_RUN" -c 8 -T 1 -q 200 2>&1
}
latencies() { # server -> per-query latency lines at a fixed rate
    dnsperf -s "$1" -p "$PORT" -d "$WORK/queries.txt" -l 5 -Q 2000 -c 1 -T 1 -v 2>&1
}

throughput "$TWIN_ADDRESS" >"$WORK/twin.throughput"
throughput "$NSD_ADDRESS" >"$WORK/nsd.throughput"
latencies "$TWIN_ADDRESS" >"$WORK/twin.latency"
latencies "$NSD_ADDRESS" >"$WORK/nsd.latency"

python3 - "$WORK" "$TWIN_ADDRESS" "$NSD_ADDRESS" "$PORT" "$SECONDS_PER_RUN" <<'EOF'
import re, sys
work, twin, nsd, port, seconds = sys.argv[1:]

def summary(path):
    text = open(path).read()
    qps = float(re.search(r"Queries per second:\s+([\d.]+)", text).group(1))
    avg = float(re.search(r"Average Latency \(s\):\s+([\d.]+)", text).group(1))
    lost = re.search(r"Queries lost:\s+(\d+)", text).group(1)
    completed = re.search(r"Queries completed:\s+(\d+)", text).group(1)
    return qps, avg, lost, completed

def percentiles(path):
    samples = []
    for line in open(path):
        # dnsperf -v: "> NOERROR name A 0.000123"
        if line.startswith(">"):
            try:
                samples.append(float(line.split()[-1]))
            except ValueError:
                pass
    samples.sort()
    pick = lambda p: samples[min(len(samples) - 1, int(p * len(samples)))] * 1e6
    return len(samples), [pick(p) for p in (0.5, 0.9, 0.99, 0.999)]

rows = []
for label, address, name in (("privlink twin (DNS face)", twin, "twin"), ("NSD 4.6.1 (authoritative zone)", nsd, "nsd")):
    qps, avg, lost, completed = summary(f"{work}/{name}.throughput")
    n, (p50, p90, p99, p999) = percentiles(f"{work}/{name}.latency")
    rows.append((label, address, qps, avg * 1e6, completed, lost, n, p50, p90, p99, p999))

print()
print(f"dnsperf -l {seconds} -c 8 -T 1 -q 200 (throughput); -l 5 -Q 2000 -v (latency percentiles); port {port}")
print(f"| server | address | queries/s | avg latency at max load (µs) | completed / lost | p50 (µs) | p90 | p99 | p99.9 | (at 2000 q/s, n) |")
print(f"|---|---|---|---|---|---|---|---|---|---|")
for r in rows:
    print(f"| {r[0]} | {r[1]} | {r[2]:.0f} | {r[3]:.0f} | {r[4]} / {r[5]} | {r[7]:.0f} | {r[8]:.0f} | {r[9]:.0f} | {r[10]:.0f} | {r[6]} |")
print()
print(f"ratio twin / NSD (queries/s): {rows[0][2] / rows[1][2]:.2f} (target >= 0.50)")
EOF
