# Seed 000 "Verification", and its warning "Private endpoint without DNS is incomplete": the recipe
# creates endpoints but no private DNS zones, so the names still resolve publicly until zones are
# linked (step 7). privlink says so, and its fixes complete the setup.
RG=rg-flask-pe
APP_NAME=app-flask-pe

# - Confirm VNet integration is listed for the app.
az webapp vnet-integration list --resource-group "$RG" --name "$APP_NAME" --output table | grep -q snet-appservice-integration

# - The CI step's table lists the three endpoints, succeeded.
for pe in pe-sql-python pe-redis-python pe-kv-python; do grep -q "$pe" "${TMPDIR:-/tmp}/pe-table.txt"; done

# - Confirm private endpoints are approved.
privlink check --select PE101 --format json | check 'data["findings"] == []'

# - Backend hostnames do NOT yet resolve privately: no zone, no link (the seed's warning).
privlink resolve --from "$APP_NAME" --all --format json \
  | check 'all(r["verdict"] == "public" for r in data) and len(data) >= 3'
# Without the zones the names resolve publicly, so check fails (exit 1) with errors, and DNS105 on
# the endpoints says why: a CI gate here must not go green.
privlink check --format json > "${TMPDIR:-/tmp}/before-dns.json" && { echo "FAILED: check passed before the private DNS zones exist" >&2; exit 1; }
check 'any(f["code"] == "DNS105" for f in data["findings"]) and any(f["severity"] == "error" for f in data["findings"])' < "${TMPDIR:-/tmp}/before-dns.json"

# Step 7, done the way privlink's findings say: run every fix's az commands, then check again.
for round in 1 2 3; do
  privlink check --format json > "${TMPDIR:-/tmp}/findings.json" || true
  python3 - "${TMPDIR:-/tmp}/findings.json" > "${TMPDIR:-/tmp}/fixes.sh" <<'PY'
import json, sys
for f in json.load(open(sys.argv[1]))["findings"]:
    if f["severity"] in ("error", "warning") and f.get("fix"):
        for cmd in f["fix"]["az"]:
            print(cmd + " --output none")
PY
  [ -s "${TMPDIR:-/tmp}/fixes.sh" ] || break
  cat "${TMPDIR:-/tmp}/fixes.sh"
  bash -eu "${TMPDIR:-/tmp}/fixes.sh"
done

# - Confirm backend hostnames resolve to private IP addresses from app runtime.
privlink resolve --from "$APP_NAME" --all --format json \
  | check 'all(r["verdict"] == "private" for r in data) and len(data) >= 3'
privlink check --fail-on warning
