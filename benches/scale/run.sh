#!/usr/bin/env bash
# The scale benchmark: generates landing-zone estates of 1k / 10k / 100k resources (benches/estate-gen),
# times privlink (load, check, resolve and trace over every app) and Checkov on the same template in
# the same run, and prints a Markdown table (also written to target/scale/results.md).
#
#   bash benches/scale/run.sh                # all sizes
#   SIZES="1000 10000" bash benches/scale/run.sh
#
# Needs the Rust toolchain, python3 (Checkov goes into ~/.cache/privlink/checkov-venv, reused when
# present) and GNU time (/usr/bin/time; installed with apt-get when missing and running as root).
set -euo pipefail
cd "$(dirname "$0")/../.."
SIZES="${SIZES:-1000 10000 100000}"
SEED="${SEED:-1}"
# Checkov's memory grows with the template (17 GiB after 12 minutes at 100k resources): stop it here.
CHECKOV_TIMEOUT="${CHECKOV_TIMEOUT:-600}"
OUT="target/scale"
SUB=00000000-0000-0000-0000-00000000a001
RG=rg-landing-zone
mkdir -p "$OUT"

if [ ! -x /usr/bin/time ]; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq time >/dev/null
  else
    echo "GNU time (/usr/bin/time) is needed: apt-get install time" >&2; exit 1
  fi
fi
VENV="${XDG_CACHE_HOME:-$HOME/.cache}/privlink/checkov-venv"
if [ ! -x "$VENV/bin/checkov" ]; then
  python3 -m venv "$VENV"
  "$VENV/bin/pip" install --quiet --disable-pip-version-check checkov
fi
CHECKOV_VERSION=$("$VENV/bin/checkov" --version)

cargo build --release -q -p privlink -p estate-gen
P=target/release/privlink

# measure NAME CMD... : wall seconds and peak RSS (MiB) of one process -> "$OUT/NAME.time"
measure() {
  local name=$1; shift
  /usr/bin/time -f "%e %M" -o "$OUT/$name.time" "$@" > "$OUT/$name.out" 2> "$OUT/$name.err" || true
  read -r secs kb < <(tail -1 "$OUT/$name.time")
  printf '%s %s\n' "$secs" "$((kb / 1024))"
}

# measure3 NAME CMD... : as measure, run three times; the median wall time and its peak RSS. On a
# virtual machine the first run after a pause often pays for faulting memory in from the host.
measure3() {
  local name=$1; shift
  for i in 1 2 3; do measure "$name" "$@"; done | sort -n | sed -n 2p
}

row() { printf '| %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s |\n' "$@"; }
{
  echo "privlink $(git rev-parse --short HEAD 2>/dev/null || echo '?'), Checkov $CHECKOV_VERSION, seed $SEED"
  echo
  echo "| resources | load (inventory) | check | resolve --all-apps | trace --all-apps | check on template | Checkov on template | Checkov / check (documents / template) | privlink recall | Checkov recall | diff (one link removed) | diff / check |"
  echo "|---|---|---|---|---|---|---|---|---|---|---|---|"
} > "$OUT/results.md"

for n in $SIZES; do
  d="$OUT/estate-$n"
  target/release/estate-gen --resources "$n" --seed "$SEED" --out "$d" > "$d.summary.json"
  e="$d/estate.json"; t="$d/template.json"
  read -r l_s l_m < <(measure3 "inventory-$n" $P inventory --estate "$e")
  read -r c_s c_m < <(measure3 "check-$n" $P check --estate "$e" --format json)
  read -r r_s r_m < <(measure3 "resolve-$n" $P resolve --all-apps --estate "$e" --format json)
  read -r tr_s tr_m < <(measure3 "trace-$n" $P trace --all-apps --estate "$e" --format json)
  # diff: the estate against itself less one private DNS zone's VNet link (the first in id order),
  # the change `privlink diff` is for; its time is compared with one `check` of the estate.
  python3 benches/scale/remove_one_link.py "$e" "$d/estate-one-link-removed.json" > "$d/removed-link.txt"
  read -r df_s df_m < <(measure3 "diff-$n" $P diff --before "$e" --after "$d/estate-one-link-removed.json" --format json)
  diff_ratio=$(python3 -c "print(f'{$df_s / max($c_s, 0.01):.2f}')")
  read -r ct_s ct_m < <(measure3 "check-template-$n" $P check --estate "$t" --subscription $SUB --resource-group $RG --format json)
  read -r k_s k_m < <(measure "checkov-$n" timeout "$CHECKOV_TIMEOUT" env BC_SKIP_MAPPING=TRUE "$VENV/bin/checkov" --skip-download -f "$t" --framework arm -o json --quiet --compact)
  recall=$(python3 benches/scale/recall.py "$d/expected-findings.json" "$OUT/check-$n.out" "$OUT/checkov-$n.out" "$t")
  # Checkov / privlink on the documents, and on the same template input.
  ratio=$(python3 -c "print(f'{$k_s / max($c_s, 0.01):.0f}x / {$k_s / max($ct_s, 0.01):.0f}x')")
  if grep -q "status 124" "$OUT/checkov-$n.time"; then
    k_s="stopped after $k_s"; ratio="> $ratio"
  fi
  row "$(python3 -c "import json;print(json.load(open('$d.summary.json'))['resources'])")" \
    "$l_s s, $l_m MiB" "$c_s s, $c_m MiB" "$r_s s, $r_m MiB" "$tr_s s, $tr_m MiB" "$ct_s s, $ct_m MiB" \
    "$k_s s, $k_m MiB" "$ratio" $recall "$df_s s, $df_m MiB" "$diff_ratio" >> "$OUT/results.md"
done
echo >> "$OUT/results.md"
for n in $SIZES; do
  echo "estate-$n: $(cat "$OUT/estate-$n.summary.json")" >> "$OUT/results.md"
  echo >> "$OUT/results.md"
done
cat "$OUT/results.md"
