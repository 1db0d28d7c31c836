#!/usr/bin/env python3
"""Writes scenarios/terraform/seed/plan.json: the built-in estate (scenarios/seed-estate) as the
`terraform show -json` output of a plan that creates it with azurerm 4.x, in the documented format
(azure-semantics §16). The network is a child module (`module.network`); everything Azure assigns
at apply (ids, the app's principal id, endpoint addresses) is `after_unknown`, and the configuration
holds the references that say where each unknown comes from. Run from the repository root;
`--without-sql-link` leaves out the SQL zone's VNet link (plan-no-sql-link.json)."""
import json, sys

SUB = "00000000-0000-0000-0000-000000000001"
TENANT = "00000000-0000-0000-0000-0000000000aa"
RG = "rg-privlink-seed"
LOC = "westeurope"
PROVIDER = "registry.terraform.io/hashicorp/azurerm"

changes, config_root, config_net = [], [], []


def ref(*addresses):
    """A configuration expression with references, most specific first (as Terraform writes them)."""
    out = []
    for a in addresses:
        out.append(a)
        parts = a.split(".")
        if a.startswith("module.") and len(parts) >= 3:
            out.append(".".join(parts[:3]) if False else ".".join(parts[:2]) + "." + parts[2])
        elif len(parts) > 2:
            out.append(".".join(parts[:2]))
    return {"references": list(dict.fromkeys(out))}


def const(v):
    return {"constant_value": v}


def resource(kind, name, after, unknown, expressions, module=None, depends_on=None):
    address = f"{kind}.{name}" if module is None else f"{module}.{kind}.{name}"
    change = {
        "address": address, "mode": "managed", "type": kind, "name": name, "provider_name": PROVIDER,
        "change": {"actions": ["create"], "before": None, "after": after, "after_unknown": unknown,
                   "before_sensitive": False, "after_sensitive": {}},
    }
    if module:
        change["module_address"] = module
    changes.append(change)
    conf = {"address": f"{kind}.{name}", "mode": "managed", "type": kind, "name": name,
            "provider_config_key": "azurerm" if module is None else f"{module}:azurerm",
            "expressions": expressions, "schema_version": 0}
    if depends_on:
        conf["depends_on"] = depends_on
    (config_net if module else config_root).append(conf)


def literal_expressions(after):
    return {k: const(v) for k, v in after.items() if not isinstance(v, list) or not v or not isinstance(v[0], dict)}


without_sql_link = "--without-sql-link" in sys.argv
NET = "module.network"

# module.network: the VNet, its two subnets, the NSG and its association.
rules = [
    ("allow-sql-outbound", "Tcp", "1433", "VirtualNetwork", "Allow", 100),
    ("allow-redis-outbound", "Tcp", "6380", "VirtualNetwork", "Allow", 110),
    ("allow-https-vnet-outbound", "Tcp", "443", "VirtualNetwork", "Allow", 120),
    ("allow-aad-outbound", "Tcp", "443", "AzureActiveDirectory", "Allow", 130),
    ("deny-internet-outbound", "*", "*", "Internet", "Deny", 4000),
]
security_rules = [{
    "name": n, "protocol": p, "source_port_range": "*", "source_port_ranges": [], "destination_port_range": port,
    "destination_port_ranges": [], "source_address_prefix": "*", "source_address_prefixes": [],
    "destination_address_prefix": dst, "destination_address_prefixes": [], "access": a, "priority": pr,
    "direction": "Outbound", "description": "", "source_application_security_group_ids": [],
    "destination_application_security_group_ids": []} for n, p, port, dst, a, pr in rules]
after = {"name": "nsg-appservice-integration", "location": LOC, "resource_group_name": RG, "security_rule": security_rules, "tags": None}
resource("azurerm_network_security_group", "integration", after, {"id": True, "security_rule": [{} for _ in rules]},
         {**literal_expressions(after), "resource_group_name": ref("var.resource_group_name"), "security_rule": const(security_rules)}, NET)

after = {"name": "vnet-app", "location": LOC, "resource_group_name": RG, "address_space": ["10.20.0.0/16"], "dns_servers": [], "tags": None}
resource("azurerm_virtual_network", "app", after, {"id": True, "guid": True, "subnet": True, "address_space": [False], "dns_servers": []},
         {**literal_expressions(after), "resource_group_name": ref("var.resource_group_name")}, NET)

for name, subnet, prefix, delegated in [("integration", "snet-appservice-integration", "10.20.1.0/24", True),
                                        ("endpoints", "snet-private-endpoints", "10.20.2.0/24", False)]:
    delegation = [{"name": "delegation", "service_delegation": [{"name": "Microsoft.Web/serverFarms", "actions": ["Microsoft.Network/virtualNetworks/subnets/action"]}]}] if delegated else []
    after = {"name": subnet, "resource_group_name": RG, "virtual_network_name": "vnet-app", "address_prefixes": [prefix],
             "delegation": delegation, "private_endpoint_network_policies": "Disabled",
             "private_link_service_network_policies_enabled": True, "service_endpoints": None, "service_endpoint_policy_ids": None,
             "default_outbound_access_enabled": True}
    resource("azurerm_subnet", name, after, {"id": True, "address_prefixes": [False], "delegation": [{"service_delegation": [{"actions": [False]}]}] if delegated else []},
             {**literal_expressions(after), "resource_group_name": ref("var.resource_group_name"),
              "virtual_network_name": ref("azurerm_virtual_network.app.name"),
              "delegation": [{"name": const("delegation"), "service_delegation": [{"name": const("Microsoft.Web/serverFarms"), "actions": const(["Microsoft.Network/virtualNetworks/subnets/action"])}]}] if delegated else []}, NET)

resource("azurerm_subnet_network_security_group_association", "integration", {}, {"id": True, "subnet_id": True, "network_security_group_id": True},
         {"subnet_id": ref("azurerm_subnet.integration.id"), "network_security_group_id": ref("azurerm_network_security_group.integration.id")}, NET)

# Root: the plan, the app, the backends, the endpoints and the DNS.
after = {"name": "plan-flask", "location": LOC, "resource_group_name": RG, "os_type": "Linux", "sku_name": "S1", "worker_count": 1, "tags": None}
resource("azurerm_service_plan", "flask", after, {"id": True, "kind": True, "reserved": True}, {**literal_expressions(after), "resource_group_name": ref("azurerm_resource_group.seed.name")})

backends = [
    # (terraform name, endpoint, azurerm type, arm name, group id, zone, address of the backend's id)
    ("sql", "pe-sql", "azurerm_mssql_server", "sql-privlink-seed", "sqlServer", "privatelink.database.windows.net"),
    ("redis", "pe-redis", "azurerm_redis_cache", "redis-privlink-seed", "redisCache", "privatelink.redis.cache.windows.net"),
    ("kv", "pe-kv", "azurerm_key_vault", "kv-privlink-seed", "vault", "privatelink.vaultcore.azure.net"),
    ("openai", "pe-openai", "azurerm_cognitive_account", "oai-privlink-seed", "account", "privatelink.openai.azure.com"),
]

settings = {
    "SQL_SERVER_FQDN": "sql-privlink-seed.database.windows.net",
    "SQL_DATABASE_NAME": "db-flask",
    "REDIS_HOST": "redis-privlink-seed.redis.cache.windows.net",
    "REDIS_PORT": "6380",
    "KEY_VAULT_URI": "https://kv-privlink-seed.vault.azure.net/",
    "AZURE_OPENAI_ENDPOINT": "https://oai-privlink-seed.openai.azure.com/",
    "OPENAI_API_KEY": "@Microsoft.KeyVault(SecretUri=https://kv-privlink-seed.vault.azure.net/secrets/openai-key)",
    "WEBSITE_VNET_ROUTE_ALL": "1",
}
site_config = [{"always_on": True, "vnet_route_all_enabled": True, "minimum_tls_version": "1.2", "scm_minimum_tls_version": "1.2",
                "ftps_state": "Disabled", "http2_enabled": False,
                "app_command_line": "gunicorn --bind 0.0.0.0:${PORT:-8000} app:app --workers 2 --timeout 120",
                "application_stack": [{"python_version": "3.12"}]}]
after = {"name": "app-flask-privlink", "location": LOC, "resource_group_name": RG, "https_only": True,
         "public_network_access_enabled": True, "app_settings": settings, "site_config": site_config,
         "identity": [{"type": "SystemAssigned", "identity_ids": None}], "key_vault_reference_identity_id": None,
         "tags": None}
resource("azurerm_linux_web_app", "flask", after,
         {"id": True, "service_plan_id": True, "virtual_network_subnet_id": True, "default_hostname": True,
          "outbound_ip_addresses": True, "identity": [{"principal_id": True, "tenant_id": True}], "site_config": [{}], "app_settings": {}},
         {**{k: v for k, v in literal_expressions(after).items() if k not in ("site_config", "identity")},
          "resource_group_name": ref("azurerm_resource_group.seed.name"),
          "service_plan_id": ref("azurerm_service_plan.flask.id"),
          "virtual_network_subnet_id": ref("module.network.integration_subnet_id"),
          "site_config": [{"vnet_route_all_enabled": const(True), "always_on": const(True)}],
          "identity": [{"type": const("SystemAssigned")}]})

after = {"name": "sql-privlink-seed", "location": LOC, "resource_group_name": RG, "version": "12.0", "minimum_tls_version": "1.2",
         "public_network_access_enabled": False, "outbound_network_restriction_enabled": False, "connection_policy": "Default",
         "azuread_administrator": [{"login_username": "sql-admins-privlink", "object_id": "22222222-3333-4444-5555-666666666666",
                                    "tenant_id": TENANT, "azuread_authentication_only": True}], "tags": None}
resource("azurerm_mssql_server", "sql", after, {"id": True, "fully_qualified_domain_name": True, "azuread_administrator": [{}]},
         {**literal_expressions(after), "resource_group_name": ref("azurerm_resource_group.seed.name")})
after = {"name": "db-flask", "sku_name": "Basic", "collation": "SQL_Latin1_General_CP1_CI_AS", "tags": None}
resource("azurerm_mssql_database", "flask", after, {"id": True, "server_id": True}, {**literal_expressions(after), "server_id": ref("azurerm_mssql_server.sql.id")})

after = {"name": "redis-privlink-seed", "location": LOC, "resource_group_name": RG, "sku_name": "Standard", "family": "C", "capacity": 1,
         "non_ssl_port_enabled": False, "minimum_tls_version": "1.2", "public_network_access_enabled": False,
         "access_keys_authentication_enabled": True, "redis_version": "6", "tags": None}
resource("azurerm_redis_cache", "redis", after, {"id": True, "hostname": True, "primary_access_key": True, "redis_configuration": True},
         {**literal_expressions(after), "resource_group_name": ref("azurerm_resource_group.seed.name")})

after = {"name": "kv-privlink-seed", "location": LOC, "resource_group_name": RG, "sku_name": "standard", "tenant_id": TENANT,
         "enable_rbac_authorization": True, "public_network_access_enabled": False, "soft_delete_retention_days": 90,
         "purge_protection_enabled": False,
         "network_acls": [{"bypass": "None", "default_action": "Deny", "ip_rules": [], "virtual_network_subnet_ids": []}], "tags": None}
resource("azurerm_key_vault", "kv", after, {"id": True, "vault_uri": True, "access_policy": True, "network_acls": [{"ip_rules": [], "virtual_network_subnet_ids": []}]},
         {**literal_expressions(after), "resource_group_name": ref("azurerm_resource_group.seed.name"), "tenant_id": ref("var.tenant_id")})

after = {"name": "oai-privlink-seed", "location": LOC, "resource_group_name": RG, "kind": "OpenAI", "sku_name": "S0",
         "custom_subdomain_name": "oai-privlink-seed", "public_network_access_enabled": False, "local_auth_enabled": True,
         "network_acls": [{"default_action": "Deny", "ip_rules": [], "virtual_network_rules": []}], "tags": None}
resource("azurerm_cognitive_account", "openai", after, {"id": True, "endpoint": True, "network_acls": [{"ip_rules": [], "virtual_network_rules": []}]},
         {**literal_expressions(after), "resource_group_name": ref("azurerm_resource_group.seed.name")})

after = {"name": "d1805766-bead-5ee4-9d8b-e376dc956e80",
         "role_definition_id": f"/subscriptions/{SUB}/providers/Microsoft.Authorization/roleDefinitions/4633458b-17de-408a-b874-0445c86b69e6",
         "principal_type": "ServicePrincipal", "condition": None, "condition_version": None, "description": None}
resource("azurerm_role_assignment", "app_secrets_user", after,
         {"id": True, "scope": True, "principal_id": True, "role_definition_name": True},
         {**literal_expressions(after), "scope": ref("azurerm_key_vault.kv.id"),
          "principal_id": ref("azurerm_linux_web_app.flask.identity[0].principal_id", "azurerm_linux_web_app.flask.identity[0]", "azurerm_linux_web_app.flask.identity")})

previous = None
for tf, endpoint, kind, arm_name, group, zone in backends:
    after = {"name": zone, "resource_group_name": RG, "tags": None}
    resource("azurerm_private_dns_zone", tf, after, {"id": True, "number_of_record_sets": True, "soa_record": True},
             {**literal_expressions(after), "resource_group_name": ref("azurerm_resource_group.seed.name")})
    if not (without_sql_link and tf == "sql"):
        after = {"name": "link-vnet-app", "resource_group_name": RG, "private_dns_zone_name": zone, "registration_enabled": False,
                 "resolution_policy": "Default", "tags": None}
        resource("azurerm_private_dns_zone_virtual_network_link", tf, after, {"id": True, "virtual_network_id": True},
                 {**literal_expressions(after), "private_dns_zone_name": ref(f"azurerm_private_dns_zone.{tf}.name"),
                  "virtual_network_id": ref("module.network.vnet_id")})
    after = {"name": endpoint, "location": LOC, "resource_group_name": RG, "custom_network_interface_name": f"{endpoint}-nic",
             "private_service_connection": [{"name": f"{endpoint}-conn", "is_manual_connection": False,
                                             "subresource_names": [group], "private_connection_resource_alias": None, "request_message": None}],
             "private_dns_zone_group": [{"name": "default"}], "ip_configuration": [], "tags": None}
    resource("azurerm_private_endpoint", tf, after,
             {"id": True, "subnet_id": True, "network_interface": True, "custom_dns_configs": True, "private_dns_zone_configs": True,
              "private_service_connection": [{"private_connection_resource_id": True, "private_ip_address": True, "subresource_names": [False]}],
              "private_dns_zone_group": [{"id": True, "private_dns_zone_ids": True}]},
             {"name": const(endpoint), "location": const(LOC), "resource_group_name": ref("azurerm_resource_group.seed.name"),
              "custom_network_interface_name": const(f"{endpoint}-nic"),
              "subnet_id": ref("module.network.endpoints_subnet_id"),
              "private_service_connection": [{"name": const(f"{endpoint}-conn"), "is_manual_connection": const(False),
                                              "subresource_names": const([group]),
                                              "private_connection_resource_id": ref(f"{kind}.{tf}.id")}],
              "private_dns_zone_group": [{"name": const("default"), "private_dns_zone_ids": ref(f"azurerm_private_dns_zone.{tf}.id")}]},
             # One endpoint after the other, as the template's serial copy loop: addresses .4-.7 in this order.
             depends_on=[previous] if previous else None)
    previous = f"azurerm_private_endpoint.{tf}"

after = {"name": RG, "location": LOC, "tags": None, "managed_by": None}
resource("azurerm_resource_group", "seed", after, {"id": True}, literal_expressions(after))

changes.sort(key=lambda c: c["address"])
plan = {
    "format_version": "1.2", "terraform_version": "1.9.5",
    "variables": {"resource_group_name": {"value": RG}, "tenant_id": {"value": TENANT}, "subscription_id": {"value": SUB}},
    "planned_values": {"root_module": {}},
    "resource_changes": changes,
    "configuration": {
        "provider_config": {
            "azurerm": {"name": "azurerm", "full_name": PROVIDER, "version_constraint": "~> 4.0",
                        "expressions": {"subscription_id": ref("var.subscription_id"), "features": [{}]}},
        },
        "root_module": {
            "resources": config_root,
            "module_calls": {"network": {
                "source": "./modules/network",
                "expressions": {"resource_group_name": ref("azurerm_resource_group.seed.name")},
                "module": {
                    "resources": config_net,
                    "outputs": {
                        "vnet_id": {"expression": ref("azurerm_virtual_network.app.id")},
                        "integration_subnet_id": {"expression": ref("azurerm_subnet.integration.id")},
                        "endpoints_subnet_id": {"expression": ref("azurerm_subnet.endpoints.id")},
                    },
                    "variables": {"resource_group_name": {}},
                },
            }},
            "variables": {"resource_group_name": {}, "tenant_id": {}, "subscription_id": {}},
        },
    },
    "timestamp": "2026-01-01T00:00:00Z", "applyable": True, "complete": True, "errored": False,
}
out = "scenarios/terraform/seed/plan-no-sql-link.json" if without_sql_link else "scenarios/terraform/seed/plan.json"
with open(out, "w") as f:
    json.dump(plan, f, indent=1)
    f.write("\n")
