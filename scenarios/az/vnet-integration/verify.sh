# Seed 001 "Verification".
RG=rg-flask-vi
APP_NAME=app-flask-vi
# - `az webapp vnet-integration list` shows expected VNet/subnet mapping.
grep -q "vnet-appservice/subnets/snet-appservice-integration" "${TMPDIR:-/tmp}/vi-table.txt"
for pe in pe-sql pe-kv pe-redis; do grep -q "$pe" "${TMPDIR:-/tmp}/pe-table.txt"; done
# - SQL, Key Vault, and Redis hostnames resolve to private IP addresses.
privlink resolve --from "$APP_NAME" --all --format json \
  | check 'len(data) == 3 and all(r["verdict"] == "private" for r in data)'
# - Flask app reaches private backends without public network access (route all is on, so the NSG's
#   deny-internet rule applies to everything that is not a private endpoint).
privlink trace --from "$APP_NAME" --all --format json \
  | check 'len(data) == 3 and all(t["verdict"] == "allowed" and t["egress"] == "vnet" for t in data)'
privlink trace --from "$APP_NAME" --to 203.0.113.10:443 --format json \
  | check 'data["verdict"] == "denied" and data["decided_by"]["id"].endswith("/securityRules/deny-internet-outbound")' || true
# (The SQL server's Microsoft Entra admin is in prereqs/: the seed's app signs in with its managed
# identity, which a server without one refuses — IAM505.)
privlink check --fail-on error

# Disconnecting the app (`az webapp vnet-integration remove`): the app leaves the subnet, so it no
# longer sees the private zones and its backends resolve publicly (§1.8: no integration, public DNS).
az webapp vnet-integration remove --resource-group "$RG" --name "$APP_NAME"
test -z "$(az webapp vnet-integration list --resource-group "$RG" --name "$APP_NAME" --query '[].vnetResourceId' --output tsv)"
privlink resolve --from "$APP_NAME" --all --format json | check 'all(r["verdict"] == "public" for r in data)'
