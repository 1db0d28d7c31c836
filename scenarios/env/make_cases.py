#!/usr/bin/env python3
"""Writes scenarios/env/<case>/estate/: the built-in estate (scenarios/seed-estate) with the one
change each case is about, for `privlink env`'s Key Vault reference statuses (azure-semantics §7).
Run from the repository root; the .cmd files beside each estate say what is expected and why.
It also writes the prereqs of the az recipe scenarios/az/keyvault-references (see the end)."""
import copy, json, os

SEED = "scenarios/seed-estate"
FILES = ["network.json", "endpoints.json", "dns.json", "web.json", "backends.json", "access.json"]
SITE = "/providers/Microsoft.Web/sites/app-flask-privlink"
VAULT = "/providers/Microsoft.KeyVault/vaults/kv-privlink-seed"
APP_PRINCIPAL = "11111111-2222-3333-4444-555555555555"
TENANT = "00000000-0000-0000-0000-0000000000aa"
REFERENCE = "@Microsoft.KeyVault(SecretUri=https://kv-privlink-seed.vault.azure.net/secrets/openai-key)"


def load():
    return {f: json.load(open(os.path.join(SEED, f))) for f in FILES}


def doc(estate, id_end):
    for docs in estate.values():
        for d in docs:
            if d["id"].endswith(id_end):
                return d
    raise KeyError(id_end)


def settings(estate):
    return doc(estate, SITE + "/config/appsettings")["properties"]


def role_for_someone_else(estate):
    """The vault's only role assignment is the deployer's Key Vault Administrator, not the app's."""
    ra = next(d for d in estate["backends.json"] if d["type"] == "Microsoft.Authorization/roleAssignments")
    ra["properties"]["principalId"] = "99999999-8888-7777-6666-555555555555"
    ra["properties"]["principalType"] = "User"
    ra["properties"]["roleDefinitionId"] = ra["properties"]["roleDefinitionId"].rsplit("/", 1)[0] + "/00482a5a-887f-4fb3-b363-3b7fe8e74483"


def app_access_policy(estate, secrets):
    doc(estate, VAULT)["properties"]["accessPolicies"] = [
        {"tenantId": TENANT, "objectId": APP_PRINCIPAL, "permissions": {"keys": [], "secrets": secrets, "certificates": []}}
    ]


def msi_not_enabled(estate):
    del doc(estate, SITE)["identity"]


def rbac_without_role(estate):
    role_for_someone_else(estate)


def rbac_with_only_an_access_policy(estate):
    role_for_someone_else(estate)
    app_access_policy(estate, ["get", "list"])


def access_policy_get(estate):
    role_for_someone_else(estate)
    doc(estate, VAULT)["properties"]["enableRbacAuthorization"] = False
    app_access_policy(estate, ["get"])


def linux_private_endpoint_without_route_all(estate):
    site = doc(estate, SITE)
    site["properties"]["vnetRouteAllEnabled"] = False
    site["properties"]["outboundVnetRouting"]["applicationTraffic"] = False
    doc(estate, SITE + "/config/web")["properties"]["vnetRouteAllEnabled"] = False
    del settings(estate)["WEBSITE_VNET_ROUTE_ALL"]


def secret_not_found(estate):
    settings(estate)["OPENAI_API_KEY"] = REFERENCE.replace("openai-key", "openai-api-key")


def invalid_syntax(estate):
    # VaultName without SecretName (§7.1: both are required in that form).
    settings(estate)["OPENAI_API_KEY"] = "@Microsoft.KeyVault(VaultName=kv-privlink-seed;Secret=openai-key)"


CASES = {
    "msi-not-enabled": msi_not_enabled,
    "rbac-without-role": rbac_without_role,
    "rbac-with-only-an-access-policy": rbac_with_only_an_access_policy,
    "access-policy-get": access_policy_get,
    "linux-private-endpoint-without-route-all": linux_private_endpoint_without_route_all,
    "secret-not-found": secret_not_found,
    "invalid-syntax": invalid_syntax,
}

for case, change in CASES.items():
    estate = copy.deepcopy(load())
    change(estate)
    out = os.path.join("scenarios/env", case, "estate")
    os.makedirs(out, exist_ok=True)
    for name, docs in estate.items():
        with open(os.path.join(out, name), "w") as f:
            json.dump(docs, f, indent=2)
            f.write("\n")

# The az recipe scenarios/az/keyvault-references starts from the seed estate with the vault in RBAC
# mode and the app without its role (the deployer's Key Vault Administrator is the only assignment),
# and the secret the tutorial's CS_ACCOUNT_KEY reference names.
estate = copy.deepcopy(load())
rbac_without_role(estate)
secret = copy.deepcopy(next(d for d in estate["access.json"] if d["type"] == "Microsoft.KeyVault/vaults/secrets"))
secret["id"] = secret["id"].rsplit("/", 1)[0] + "/cskey1"
secret["name"] = "cskey1"
secret["properties"]["secretUri"] = "https://kv-privlink-seed.vault.azure.net/secrets/cskey1"
secret["properties"]["secretUriWithVersion"] = "https://kv-privlink-seed.vault.azure.net/secrets/cskey1/0d9c8b7a6f5e4d3c2b1a098f7e6d5c4b"
estate["access.json"].append(secret)
out = "scenarios/az/keyvault-references/prereqs"
os.makedirs(out, exist_ok=True)
for name, docs in estate.items():
    with open(os.path.join(out, name), "w") as f:
        json.dump(docs, f, indent=2)
        f.write("\n")
