#!/usr/bin/env bash
# Bytes out per byte in: the twin's DNS face against NSD and Unbound serving the same answers, on
# loopback only (issue 17).
#
#   benches/dns/amplification.sh
#
# The twin's face serves the seed estate (every view on 127.53.x.y:PORT); NSD (authoritative) and
# Unbound (a resolver that answers only from local data: `local-zone: "." static`, so it never
# iterates, and a stub for "." on 127.0.0.1:9 in case it tried) serve `dns_bench zone`'s root.zone,
# the answers of vnet-app's view. The probes: the issue's 368 compressed questions (with and without
# EDNS), 100 questions without EDNS, and one question for every seed name and a few unknown ones,
# for A AAAA CNAME SOA TXT NS ANY HTTPS, with and without EDNS. Prints each server's worst factor.
# Needs Debian's nsd and unbound. Nothing leaves the machine.
set -euo pipefail
PORT="${DNS_BENCH_PORT:-5392}"
ROOT="$(cd "$(dirname "$0")/../.." && pwd)"
WORK="$(mktemp -d /tmp/privlink-dns-amp.XXXXXX)"
TWIN_PID=""; UNBOUND_PID=""
cleanup() {
    [ -n "$TWIN_PID" ] && kill "$TWIN_PID" 2>/dev/null || true
    [ -f "$WORK/nsd.pid" ] && kill "$(cat "$WORK/nsd.pid")" 2>/dev/null || true
    [ -n "$UNBOUND_PID" ] && kill "$UNBOUND_PID" 2>/dev/null || true
    sleep 0.3; rm -rf "$WORK"
}
trap cleanup EXIT
cd "$ROOT"
cargo build --release -q -p privlink-twin --example dns_bench
BENCH="$ROOT/target/release/examples/dns_bench"
"$BENCH" zone "$WORK" >/dev/null
"$BENCH" serve "$PORT" >"$WORK/mapping.txt" 2>"$WORK/twin.log" &
TWIN_PID=$!
for _ in $(seq 50); do grep -q virtualNetworks/vnet-app "$WORK/mapping.txt" 2>/dev/null && break; sleep 0.1; done
TWIN="$(grep 'virtualNetworks/vnet-app$' "$WORK/mapping.txt" | cut -d: -f1)"

cat >"$WORK/nsd.conf" <<EOF
server:
    ip-address: 127.54.0.53@$PORT
    do-ip6: no
    username: ""
    chroot: ""
    database: ""
    zonelistfile: "$WORK/zone.list"
    xfrdfile: "$WORK/xfrd.state"
    xfrdir: "$WORK"
    pidfile: "$WORK/nsd.pid"
    logfile: "$WORK/nsd.log"
    zonesdir: "$WORK"
    rrl-ratelimit: 0
remote-control:
    control-enable: no
zone:
    name: "."
    zonefile: "$WORK/root.zone"
EOF
/usr/sbin/nsd -c "$WORK/nsd.conf"

{
    echo "server:"
    echo "    interface: 127.54.0.54@$PORT"
    echo "    do-ip6: no"
    echo "    username: \"\""
    echo "    chroot: \"\""
    echo "    directory: \"$WORK\""
    echo "    pidfile: \"$WORK/unbound.pid\""
    echo "    use-syslog: no"
    echo "    logfile: \"$WORK/unbound.log\""
    echo "    do-not-query-localhost: no"
    echo "    access-control: 127.0.0.0/8 allow"
    echo "    local-zone: \".\" static"
    grep -v '^;' "$WORK/root.zone" | grep -v '^\$' | while read -r line; do echo "    local-data: \"$line\""; done
    echo "stub-zone:"
    echo "    name: \".\""
    echo "    stub-addr: 127.0.0.1@9"
    echo "remote-control:"
    echo "    control-enable: no"
} >"$WORK/unbound.conf"
/usr/sbin/unbound -d -c "$WORK/unbound.conf" 2>"$WORK/unbound.err" &
UNBOUND_PID=$!
sleep 1

python3 - "$TWIN" 127.54.0.53 127.54.0.54 "$PORT" <<'EOF'
import socket, struct, sys
twin, nsd, unbound, port = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
names = ["sql-privlink-seed.database.windows.net", "sql-privlink-seed.privatelink.database.windows.net",
         "kv-privlink-seed.vault.azure.net", "redis-privlink-seed.redis.cache.windows.net",
         "oai-privlink-seed.openai.azure.com", "privatelink.database.windows.net", "a", "www.example.org",
         "nothere.privatelink.database.windows.net", "app-flask-privlink.azurewebsites.net"]
types = {"A": 1, "NS": 2, "CNAME": 5, "SOA": 6, "TXT": 16, "AAAA": 28, "HTTPS": 65, "ANY": 255}

def encode(name):
    return b"".join(bytes([len(l)]) + l.encode() for l in name.split(".") if l) + b"\0"

def query(name, qtype, questions=1, payload=None):
    head = struct.pack(">HHHHHH", 0x1234, 0x0100, questions, 0, 0, 1 if payload else 0)
    body = encode(name) + struct.pack(">HH", qtype, 1)
    body += b"\xc0\x0c" + struct.pack(">HH", qtype, 1) if False else b""
    for _ in range(questions - 1):
        body += b"\xc0\x0c" + struct.pack(">HH", qtype, 1)
    if payload:
        body += b"\0" + struct.pack(">HHIH", 41, payload, 0, 0)
    return head + body

def ask(server, message):
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.settimeout(2)
    s.sendto(message, (server, port))
    try:
        return len(s.recv(65535))
    except socket.timeout:
        return 0
    finally:
        s.close()

probes = [("368 questions, EDNS 65535", query(names[0], 1, 368, 65535)),
          ("368 questions, no EDNS", query(names[0], 1, 368)),
          ("100 questions, no EDNS", query(names[0], 1, 100))]
for name in names:
    for tname, t in types.items():
        for payload in (None, 1232, 4096):
            probes.append((f"{name} {tname} EDNS {payload}", query(name, t, 1, payload)))
servers = {"twin": twin, "nsd": nsd, "unbound": unbound}
print(f"{'probe':<58} {'query':>6} " + " ".join(f"{s:>8}" for s in servers))
worst = {s: (0, "") for s in servers}
for label, message in probes:
    sizes = {s: ask(a, message) for s, a in servers.items()}
    for s, size in sizes.items():
        f = size / len(message)
        if f > worst[s][0]:
            worst[s] = (f, label)
    if "questions" in label or sizes["twin"] > max(sizes["nsd"], sizes["unbound"]) + 40:
        print(f"{label:<58} {len(message):>6} " + " ".join(f"{sizes[s]:>8}" for s in servers))
for s, (f, label) in worst.items():
    print(f"worst {s}: {f:.1f}x  ({label})")
EOF
