//! The catalog's lookups, name derivation and table invariants.

use super::*;
use privlink_model::{DnsName, Region};

fn name(s: &str) -> DnsName {
    DnsName::parse(s).unwrap()
}

fn fqdns(v: Vec<DnsName>) -> Vec<String> {
    v.iter().map(|n| n.to_string()).collect()
}

#[test]
fn lookup_by_type_and_group_is_case_insensitive() {
    let kv = lookup("microsoft.keyvault/VAULTS", "VAULT").unwrap();
    assert_eq!(kv.resource_type, "Microsoft.KeyVault/vaults");
    assert_eq!(kv.private_zones(Cloud::Public), ["privatelink.vaultcore.azure.net"]);
    assert_eq!(kv.service_tag, Some("AzureKeyVault"));
    assert_eq!(kv.entra_audience(Cloud::Public), Some("https://vault.azure.net"));
    assert_eq!(kv.forwarder_zones(Cloud::Public), ["vault.azure.net", "vaultcore.azure.net"]);
    assert!(lookup("Microsoft.KeyVault/vaults", "sqlServer").is_none());
    assert!(lookup("Microsoft.KeyVault/vault", "vault").is_none());
}

#[test]
fn storage_group_ids_pick_their_own_zone() {
    let zones = |g| private_zones(Cloud::Public, "Microsoft.Storage/storageAccounts", g);
    assert_eq!(zones("blob"), ["privatelink.blob.core.windows.net"]);
    assert_eq!(zones("blob_secondary"), ["privatelink.blob.core.windows.net"]);
    assert_eq!(zones("file"), ["privatelink.file.core.windows.net"]);
    assert_eq!(zones("dfs"), ["privatelink.dfs.core.windows.net"]);
    assert!(zones("nope").is_empty());
}

#[test]
fn web_slot_group_ids_match_the_sites_row() {
    let e = lookup("Microsoft.Web/sites", "sites-staging").unwrap();
    assert_eq!(e.private_zones(Cloud::Public), ["privatelink.azurewebsites.net"]);
    assert!(lookup("Microsoft.Web/sites", "sites-").is_none());
    assert!(lookup("Microsoft.Web/sites", "SITES").is_some());
}

#[test]
fn ports_reflect_tls_and_redirect_rules() {
    let redis = lookup("Microsoft.Cache/Redis", "redisCache").unwrap();
    let defaults: Vec<u16> = redis.default_ports().map(|p| p.first).collect();
    assert_eq!(defaults, [6380]);
    assert!(redis.ports.iter().any(|p| p.contains(6379) && p.usage == PortUsage::NonTls));
    let sql = lookup("Microsoft.Sql/servers", "sqlServer").unwrap();
    assert!(sql.ports.iter().any(|p| p.contains(11500) && p.usage == PortUsage::Redirect));
    assert!(sql.ports.iter().any(|p| p.contains(20000) && p.usage == PortUsage::PrivateEndpointRedirect));
    assert!(sql.default_ports().any(|p| p.contains(1433)));
}

#[test]
fn cognitive_services_has_three_zones() {
    let zones = private_zones(Cloud::Public, "Microsoft.CognitiveServices/accounts", "account");
    assert_eq!(
        zones,
        [
            "privatelink.cognitiveservices.azure.com",
            "privatelink.openai.azure.com",
            "privatelink.services.ai.azure.com"
        ]
    );
}

#[test]
fn fqdn_under_public_suffix() {
    let m = lookup_fqdn(Cloud::Public, &name("kv1.vault.azure.net")).unwrap();
    assert_eq!(m.entry.resource_type, "Microsoft.KeyVault/vaults");
    assert_eq!(m.kind, ZoneKind::Public);
    assert_eq!(m.host_label, "kv1");
    assert_eq!(m.suffix.as_str(), "vault.azure.net");
}

#[test]
fn fqdn_lookup_is_case_insensitive() {
    let m = lookup_fqdn(Cloud::Public, &name("KV1.Vault.Azure.NET.")).unwrap();
    assert_eq!(m.entry.resource_type, "Microsoft.KeyVault/vaults");
    assert_eq!(m.host_label, "kv1");
}

#[test]
fn fqdn_in_privatelink_zone() {
    let m = lookup_fqdn(Cloud::Public, &name("x.privatelink.vaultcore.azure.net")).unwrap();
    assert_eq!(m.entry.resource_type, "Microsoft.KeyVault/vaults");
    assert_eq!(m.kind, ZoneKind::PrivateLink);
    assert_eq!(m.suffix.as_str(), "privatelink.vaultcore.azure.net");
    assert_eq!(m.host_label, "x");
}

#[test]
fn label_boundary_traps_do_not_match() {
    for trap in [
        "notprivatelink.vaultcore.azure.net",
        "x.notprivatelink.vaultcore.azure.net",
        "kv1.myvault.azure.net",
        "kv1.vault.azure.net.evil.example",
        "vault.azure.net",
        "privatelink.vaultcore.azure.net",
        "a.b.vault.azure.net",
    ] {
        assert!(lookup_fqdn(Cloud::Public, &name(trap)).is_none(), "{trap} must not match");
    }
}

#[test]
fn sql_server_and_managed_instance_are_told_apart() {
    let m = lookup_fqdn(Cloud::Public, &name("srv.database.windows.net")).unwrap();
    assert_eq!(m.entry.resource_type, "Microsoft.Sql/servers");
    let m = lookup_fqdn(Cloud::Public, &name("srv.privatelink.database.windows.net")).unwrap();
    assert_eq!((m.entry.resource_type, m.kind), ("Microsoft.Sql/servers", ZoneKind::PrivateLink));
    let m = lookup_fqdn(Cloud::Public, &name("mi1.abc123.database.windows.net")).unwrap();
    assert_eq!((m.entry.resource_type, m.kind), ("Microsoft.Sql/managedInstances", ZoneKind::Public));
    assert_eq!(m.suffix_pattern, "{dnsPrefix}.database.windows.net");
    assert_eq!(m.suffix.as_str(), "abc123.database.windows.net");
    let m = lookup_fqdn(Cloud::Public, &name("mi1.privatelink.abc123.database.windows.net")).unwrap();
    assert_eq!((m.entry.resource_type, m.kind), ("Microsoft.Sql/managedInstances", ZoneKind::PrivateLink));
}

#[test]
fn web_scm_names_match_both_forms() {
    let m = lookup_fqdn(Cloud::Public, &name("app.scm.azurewebsites.net")).unwrap();
    assert_eq!((m.entry.resource_type, m.host_label.as_str()), ("Microsoft.Web/sites", "app"));
    assert_eq!(m.suffix.as_str(), "scm.azurewebsites.net");
    let m = lookup_fqdn(Cloud::Public, &name("app.scm.privatelink.azurewebsites.net")).unwrap();
    assert_eq!(m.kind, ZoneKind::PrivateLink);
    assert_eq!((m.relative.as_str(), m.host_label.as_str()), ("app.scm", "app"));
}

#[test]
fn shared_zones_prefer_table_order_and_report_all() {
    let n = name("acct.blob.core.windows.net");
    let m = lookup_fqdn(Cloud::Public, &n).unwrap();
    assert_eq!(m.entry.service, "Azure Storage (blob)");
    let all: Vec<&str> = lookup_fqdn_all(Cloud::Public, &n).iter().map(|m| m.entry.resource_type).collect();
    assert_eq!(all, ["Microsoft.Storage/storageAccounts", "Microsoft.Insights/privateLinkScopes"]);
    let sb = lookup_fqdn_all(Cloud::Public, &name("ns1.privatelink.servicebus.windows.net"));
    assert_eq!(sb.len(), 3);
}

#[test]
fn regional_templates_match_one_label() {
    let m = lookup_fqdn(Cloud::Public, &name("reg1.westeurope.data.azurecr.io")).unwrap();
    assert_eq!((m.entry.resource_type, m.host_label.as_str()), ("Microsoft.ContainerRegistry/registries", "reg1"));
    let m = lookup_fqdn(Cloud::Public, &name("c1.westeurope.redis.azure.net")).unwrap();
    assert_eq!(m.entry.service, "Azure Managed Redis");
    let m = lookup_fqdn(Cloud::Public, &name("c1.privatelink.redis.azure.net")).unwrap();
    assert_eq!(m.kind, ZoneKind::PrivateLink);
}

#[test]
fn privatelink_aliases_follow_the_public_chain() {
    let alias = |n: &str| privatelink_alias(Cloud::Public, &name(n)).map(|a| a.to_string());
    assert_eq!(alias("kv1.vault.azure.net").as_deref(), Some("kv1.privatelink.vaultcore.azure.net"));
    assert_eq!(alias("sql1.database.windows.net").as_deref(), Some("sql1.privatelink.database.windows.net"));
    assert_eq!(alias("oai.openai.azure.com").as_deref(), Some("oai.privatelink.openai.azure.com"));
    assert_eq!(alias("acct.blob.core.windows.net").as_deref(), Some("acct.privatelink.blob.core.windows.net"));
    assert_eq!(alias("app.scm.azurewebsites.net").as_deref(), Some("app.scm.privatelink.azurewebsites.net"));
    assert_eq!(
        alias("mi1.abc123.database.windows.net").as_deref(),
        Some("mi1.privatelink.abc123.database.windows.net")
    );
    assert_eq!(alias("kv1.privatelink.vaultcore.azure.net"), None);
    assert_eq!(alias("www.example.com"), None);
}

#[test]
fn privatelink_zone_recognition() {
    let yes = |z: &str| is_privatelink_zone(Cloud::Public, &name(z));
    assert!(yes("privatelink.vaultcore.azure.net"));
    assert!(yes("PrivateLink.Database.Windows.Net"));
    assert!(yes("privatelink.abc123.database.windows.net"));
    assert!(!yes("vaultcore.azure.net"));
    assert!(!yes("x.privatelink.vaultcore.azure.net"));
    assert!(!yes("privatelink.vault.azure.net"));
    assert!(!yes("privatelink.privatelink.database.windows.net"));
    assert!(!yes("notprivatelink.vaultcore.azure.net"));
}

#[test]
fn group_ids_served_by_a_zone() {
    let groups = |z: &str| group_ids_for_zone(Cloud::Public, &name(z));
    assert_eq!(groups("privatelink.vaultcore.azure.net"), ["vault"]);
    assert_eq!(groups("privatelink.blob.core.windows.net"), ["blob", "blob_secondary", "azuremonitor"]);
    assert_eq!(groups("privatelink.servicebus.windows.net"), ["namespace"]);
    assert_eq!(groups("privatelink.openai.azure.com"), ["account"]);
    assert!(groups("privatelink.example.com").is_empty());
}

#[test]
fn customer_fqdns_of_the_seed_backends() {
    let none = NameHints::default();
    let f = |t, n, g, h: &NameHints<'_>| fqdns(customer_fqdns(Cloud::Public, t, n, g, h));
    assert_eq!(f("Microsoft.Sql/servers", "sql1", "sqlServer", &none), ["sql1.database.windows.net"]);
    assert_eq!(f("Microsoft.Cache/Redis", "r1", "redisCache", &none), ["r1.redis.cache.windows.net"]);
    assert_eq!(f("Microsoft.KeyVault/vaults", "KV1", "vault", &none), ["kv1.vault.azure.net"]);
    assert_eq!(f("Microsoft.Web/sites", "app", "sites", &none), ["app.azurewebsites.net", "app.scm.azurewebsites.net"]);
    assert_eq!(
        f("Microsoft.Web/sites", "app", "sites-staging", &none),
        ["app-staging.azurewebsites.net", "app-staging.scm.azurewebsites.net"]
    );
}

#[test]
fn customer_fqdns_of_cognitive_accounts_follow_kind() {
    let f = |kind| {
        let hints = NameHints { account_kind: Some(kind), custom_sub_domain: Some("oai1"), ..Default::default() };
        fqdns(customer_fqdns(Cloud::Public, "Microsoft.CognitiveServices/accounts", "acct", "account", &hints))
    };
    assert_eq!(f("OpenAI"), ["oai1.openai.azure.com"]);
    assert_eq!(f("TextAnalytics"), ["oai1.cognitiveservices.azure.com"]);
    assert_eq!(
        f("AIServices"),
        ["oai1.cognitiveservices.azure.com", "oai1.openai.azure.com", "oai1.services.ai.azure.com"]
    );
    let no_subdomain = NameHints { account_kind: Some("OpenAI"), ..Default::default() };
    let names = customer_fqdns(Cloud::Public, "Microsoft.CognitiveServices/accounts", "a", "account", &no_subdomain);
    assert!(names.is_empty());
}

#[test]
fn customer_fqdns_of_storage_and_templated_services() {
    let none = NameHints::default();
    let st =
        |g, h: &NameHints<'_>| fqdns(customer_fqdns(Cloud::Public, "Microsoft.Storage/storageAccounts", "acct", g, h));
    assert_eq!(st("blob", &none), ["acct.blob.core.windows.net"]);
    assert_eq!(st("file", &none), ["acct.file.core.windows.net"]);
    assert_eq!(st("blob_secondary", &none), ["acct-secondary.blob.core.windows.net"]);

    let acr = |h: &NameHints<'_>| {
        fqdns(customer_fqdns(Cloud::Public, "Microsoft.ContainerRegistry/registries", "reg1", "registry", h))
    };
    assert_eq!(acr(&none), ["reg1.azurecr.io"]);
    let we = NameHints { region: Some(Region::new("West Europe")), ..Default::default() };
    assert_eq!(acr(&we), ["reg1.azurecr.io", "reg1.westeurope.data.azurecr.io"]);

    let mi = NameHints { dns_prefix: Some("abc123"), ..Default::default() };
    let names = customer_fqdns(Cloud::Public, "Microsoft.Sql/managedInstances", "mi1", "managedInstance", &mi);
    assert_eq!(fqdns(names), ["mi1.abc123.database.windows.net"]);
    let zones = private_zone_names(Cloud::Public, "Microsoft.Sql/managedInstances", "managedInstance", &mi);
    assert_eq!(fqdns(zones), ["privatelink.abc123.database.windows.net"]);

    let monitor = customer_fqdns(Cloud::Public, "Microsoft.Insights/privateLinkScopes", "s", "azuremonitor", &none);
    assert!(monitor.is_empty());
    assert!(customer_fqdns(Cloud::Public, "Microsoft.Nope/things", "x", "y", &none).is_empty());
}

/// The table's own invariants, so a typo in a new row fails here rather than in a lookup.
#[test]
fn table_is_well_formed() {
    const PLACEHOLDERS: [&str; 3] = ["{region}", "{dnsPrefix}", "{partitionId}"];
    for e in catalog() {
        assert!(e.resource_type.contains('/'), "{}", e.service);
        assert!(!e.group_ids.is_empty(), "{}", e.service);
        assert!(!e.ports.is_empty(), "{}", e.service);
        assert!(e.ports.iter().all(|p| p.first <= p.last), "{}", e.service);
        let names = e.names(Cloud::Public).unwrap_or_else(|| panic!("{} has no public names", e.service));
        assert!(!names.private_zones.is_empty() && !names.public_suffixes.is_empty(), "{}", e.service);
        for zone in names.private_zones {
            assert!(zone.starts_with("privatelink."), "{zone}");
        }
        for pattern in names.private_zones.iter().chain(names.public_suffixes).chain(names.extra_forwarder_zones) {
            for label in pattern.split('.') {
                assert!(
                    PLACEHOLDERS.contains(&label) || DnsName::parse(label).is_ok_and(|n| n.as_str() == label),
                    "{pattern}: label {label} is neither lower-case DNS nor a known placeholder"
                );
            }
        }
    }
}

#[test]
fn type_and_group_pairs_are_unique_except_redis_enterprise() {
    for (i, a) in catalog().iter().enumerate() {
        for b in &catalog()[i + 1..] {
            let shared = a.is_type(b.resource_type) && a.group_ids.iter().any(|g| b.serves_group(g));
            if shared {
                assert_eq!(a.resource_type, "Microsoft.Cache/redisEnterprise", "{} / {}", a.service, b.service);
            }
        }
    }
}

/// A SKU name belongs to one tier only, or the tier a plan is judged by would depend on table order.
#[test]
fn plan_sku_names_and_tiers_are_unique() {
    let mut seen: Vec<String> = Vec::new();
    for tier in app_service_plan_tiers() {
        let mut row: Vec<String> =
            std::iter::once(&tier.tier).chain(tier.sku_names).map(|n| n.to_ascii_lowercase()).collect();
        row.sort();
        row.dedup();
        for name in row {
            assert!(!seen.contains(&name), "{name} is in two tiers");
            seen.push(name);
        }
    }
}
