//! Documents to typed resources.
//!
//! [`type_documents`] dispatches each document by type to its family's reader (`network`, `dns`,
//! `firewall`, `web`, `backend`), then attaches what refines another resource (rules to NSGs, routes to
//! route tables, site and backend children).

mod access;
mod backend;
mod dns;
mod firewall;
mod network;
mod web;

use access::{
    read_key_vault_secret, read_redis_access_policy_assignment, read_role_assignment, read_sql_contained_users,
    read_user_assigned_identity,
};
use backend::{apply_backend_child, read_backend};
use dns::{read_forwarding_rule, read_record_set, read_vnet_link, read_zone_group};
use firewall::{read_firewall, read_firewall_policy};
use network::{
    attach_routes, attach_security_rules, read_nic, read_peering, read_private_endpoint, read_subnet, read_vnet,
};
use web::{apply_site_child, read_site};

use crate::reader::Reader;
use privlink_engine::catalog;
use privlink_model::*;
use serde_json::Value;
use std::collections::BTreeMap;

fn meta(doc: &Document) -> Meta {
    Meta {
        id: doc.id.clone(),
        name: doc.id.name().to_string(),
        location: doc.body.get("location").and_then(Value::as_str).map(str::to_string),
        origin: doc.origin.clone(),
    }
}

/// Types every document into `resources`; what no typed resource covers becomes opaque.
pub fn type_documents(documents: &BTreeMap<ResourceId, Document>, diagnostics: &mut Vec<LoadDiagnostic>) -> Resources {
    // Each document types on its own, so the first pass is split across cores; the parts are
    // keyed by id and merged, so the result does not depend on the split.
    let all: Vec<&Document> = documents.values().collect();
    let workers = std::thread::available_parallelism().map_or(1, |n| n.get()).clamp(1, 8);
    let chunk = all.len().div_ceil(workers).max(1);
    let parts: Vec<FirstPass> = if all.len() < 2_000 || workers == 1 {
        vec![first_pass(&all, documents)]
    } else {
        std::thread::scope(|scope| {
            let handles: Vec<_> =
                all.chunks(chunk).map(|part| scope.spawn(move || first_pass(part, documents))).collect();
            handles.into_iter().map(|h| h.join().expect("typing does not panic")).collect()
        })
    };
    let mut r = Resources::default();
    let mut site_children: Vec<&Document> = Vec::new();
    let mut backend_children: Vec<&Document> = Vec::new();
    for mut part in parts {
        r.append(&mut part.resources);
        site_children.append(&mut part.site_children);
        backend_children.append(&mut part.backend_children);
        diagnostics.append(&mut part.diagnostics);
    }
    finish(documents, r, site_children, backend_children, diagnostics)
}

/// What the per-document pass produces for one slice of the documents.
struct FirstPass<'d> {
    resources: Resources,
    /// Documents that refine another resource, applied after all resources exist.
    site_children: Vec<&'d Document>,
    backend_children: Vec<&'d Document>,
    diagnostics: Vec<LoadDiagnostic>,
}

fn first_pass<'d>(docs: &[&'d Document], documents: &BTreeMap<ResourceId, Document>) -> FirstPass<'d> {
    let mut r = Resources::default();
    let mut site_children: Vec<&Document> = Vec::new();
    let mut backend_children: Vec<&Document> = Vec::new();
    let mut diagnostics = Vec::new();
    for &doc in docs {
        let ty = doc.id.type_key();
        let mut rd =
            Reader { id: &doc.id, body: &doc.body, origin: &doc.origin, diagnostics: &mut diagnostics, documents };
        match ty.as_str() {
            "microsoft.network/virtualnetworks" => {
                let v = read_vnet(doc, &mut rd);
                r.virtual_networks.insert(doc.id.clone(), v);
            }
            "microsoft.network/virtualnetworks/subnets" => {
                let s = read_subnet(doc, &mut rd);
                r.subnets.insert(doc.id.clone(), s);
            }
            "microsoft.network/virtualnetworks/virtualnetworkpeerings" => {
                let p = read_peering(doc, &mut rd);
                r.peerings.insert(doc.id.clone(), p);
            }
            "microsoft.network/networksecuritygroups" => {
                let n = NetworkSecurityGroup { meta: meta(doc), rules: Vec::new(), default_rules: Vec::new() };
                r.network_security_groups.insert(doc.id.clone(), n);
            }
            "microsoft.network/networksecuritygroups/securityrules"
            | "microsoft.network/networksecuritygroups/defaultsecurityrules" => {}
            "microsoft.network/routetables" => {
                let disable = rd.bool("/properties/disableBgpRoutePropagation").unwrap_or(false);
                let t = RouteTable { meta: meta(doc), routes: Vec::new(), disable_bgp_route_propagation: disable };
                r.route_tables.insert(doc.id.clone(), t);
            }
            "microsoft.network/routetables/routes" => {}
            "microsoft.network/networkinterfaces" => {
                let n = read_nic(doc, &mut rd);
                r.network_interfaces.insert(doc.id.clone(), n);
            }
            "microsoft.network/privateendpoints" => {
                let p = read_private_endpoint(doc, &mut rd);
                r.private_endpoints.insert(doc.id.clone(), p);
            }
            t if t.starts_with("microsoft.network/") && t.ends_with("/privatednszonegroups") => {
                let z = read_zone_group(doc, &mut rd);
                r.zone_groups.insert(doc.id.clone(), z);
            }
            "microsoft.network/privatednszones" => {
                if let Some(zone) = rd.dns_name("/name", doc.id.name()) {
                    r.private_dns_zones.insert(doc.id.clone(), PrivateDnsZone { meta: meta(doc), zone });
                }
            }
            "microsoft.network/privatednszones/virtualnetworklinks" => {
                let l = read_vnet_link(doc, &mut rd);
                r.virtual_network_links.insert(doc.id.clone(), l);
            }
            t if t.starts_with("microsoft.network/privatednszones/") && doc.id.names().count() == 2 => {
                if let Some(rs) = read_record_set(doc, &mut rd) {
                    r.record_sets.insert(doc.id.clone(), rs);
                }
            }
            "microsoft.network/dnsresolvers" => {
                let vnet = rd.reference("/properties/virtualNetwork");
                r.dns_resolvers.insert(doc.id.clone(), DnsResolver { meta: meta(doc), vnet });
            }
            "microsoft.network/dnsresolvers/inboundendpoints" => {
                let mut addresses = Vec::new();
                let mut subnets = Vec::new();
                for i in 0..rd.array("/properties/ipConfigurations").len() {
                    let base = format!("/properties/ipConfigurations/{i}");
                    if let Some(text) = rd.str(&format!("{base}/privateIpAddress")) {
                        addresses.extend(rd.ip(&format!("{base}/privateIpAddress"), text));
                    }
                    subnets.extend(rd.reference(&format!("{base}/subnet")));
                }
                let resolver = rd.canonical(doc.id.parent().expect("child id has a parent"));
                let e = ResolverInboundEndpoint { meta: meta(doc), resolver, addresses, subnets };
                r.inbound_endpoints.insert(doc.id.clone(), e);
            }
            "microsoft.network/dnsresolvers/outboundendpoints" => {
                let subnet = rd.reference("/properties/subnet");
                let resolver = rd.canonical(doc.id.parent().expect("child id has a parent"));
                r.outbound_endpoints
                    .insert(doc.id.clone(), ResolverOutboundEndpoint { meta: meta(doc), resolver, subnet });
            }
            "microsoft.network/dnsforwardingrulesets" => {
                let outbound_endpoints = rd.references("/properties/dnsResolverOutboundEndpoints");
                r.forwarding_rulesets.insert(doc.id.clone(), ForwardingRuleset { meta: meta(doc), outbound_endpoints });
            }
            "microsoft.network/dnsforwardingrulesets/forwardingrules" => {
                if let Some(rule) = read_forwarding_rule(doc, &mut rd) {
                    r.forwarding_rules.insert(doc.id.clone(), rule);
                }
            }
            "microsoft.network/dnsforwardingrulesets/virtualnetworklinks" => {
                let vnet = rd.reference("/properties/virtualNetwork");
                let ruleset = rd.canonical(doc.id.parent().expect("child id has a parent"));
                r.ruleset_links.insert(doc.id.clone(), RulesetVnetLink { meta: meta(doc), ruleset, vnet });
            }
            "microsoft.network/azurefirewalls" => {
                let f = read_firewall(doc, &mut rd);
                r.azure_firewalls.insert(doc.id.clone(), f);
            }
            "microsoft.network/firewallpolicies" => {
                let p = read_firewall_policy(doc, &mut rd);
                r.firewall_policies.insert(doc.id.clone(), p);
            }
            "microsoft.web/serverfarms" => {
                let p = AppServicePlan {
                    meta: meta(doc),
                    sku_name: rd.string("/sku/name"),
                    sku_tier: rd.string("/sku/tier"),
                    kind: rd.string("/kind"),
                    is_linux: rd.bool("/properties/reserved").unwrap_or(false)
                        || rd
                            .get("/kind")
                            .and_then(Value::as_str)
                            .is_some_and(|k| k.to_ascii_lowercase().contains("linux")),
                };
                r.plans.insert(doc.id.clone(), p);
            }
            "microsoft.web/sites" => {
                let s = read_site(doc, &mut rd);
                r.sites.insert(doc.id.clone(), s);
            }
            "microsoft.web/sites/config"
            | "microsoft.web/sites/virtualnetworkconnections"
            | "microsoft.web/sites/networkconfig" => site_children.push(doc),
            "microsoft.authorization/roleassignments" => {
                if let Some(ra) = read_role_assignment(doc, &mut rd) {
                    r.role_assignments.insert(doc.id.clone(), ra);
                }
            }
            "microsoft.managedidentity/userassignedidentities" => {
                r.user_assigned_identities.insert(doc.id.clone(), read_user_assigned_identity(doc, &mut rd));
            }
            "microsoft.keyvault/vaults/secrets" => {
                if let Some(secret) = read_key_vault_secret(doc, &mut rd) {
                    r.key_vault_secrets.insert(doc.id.clone(), secret);
                }
            }
            "microsoft.cache/redis/accesspolicyassignments" => {
                if let Some(a) = read_redis_access_policy_assignment(doc, &mut rd) {
                    r.redis_access_policy_assignments.insert(doc.id.clone(), a);
                }
            }
            "privlink.declarations/sqlcontainedusers" => {
                if let Some(d) = read_sql_contained_users(doc, &mut rd) {
                    r.sql_contained_users.insert(doc.id.clone(), d);
                }
            }
            t => {
                if let Some(kind) = catalog::backend_kind(t) {
                    let b = read_backend(doc, kind, &mut rd);
                    r.backends.insert(doc.id.clone(), b);
                } else if doc.id.names().count() == 1
                    && (catalog::is_private_link_type(t) || rd.get("/properties/privateEndpointConnections").is_some())
                {
                    let b = read_backend(doc, BackendKind::Other(doc.id.resource_type()), &mut rd);
                    r.backends.insert(doc.id.clone(), b);
                } else {
                    if doc.id.names().count() > 1 {
                        backend_children.push(doc);
                    }
                    r.opaque.insert(
                        doc.id.clone(),
                        OpaqueResource { meta: meta(doc), resource_type: doc.id.resource_type() },
                    );
                }
            }
        }
    }
    FirstPass { resources: r, site_children, backend_children, diagnostics }
}

fn finish(
    documents: &BTreeMap<ResourceId, Document>,
    mut r: Resources,
    site_children: Vec<&Document>,
    backend_children: Vec<&Document>,
    diagnostics: &mut Vec<LoadDiagnostic>,
) -> Resources {
    attach_security_rules(documents, &mut r, diagnostics);
    attach_routes(documents, &mut r, diagnostics);
    for doc in site_children {
        let mut rd = Reader { id: &doc.id, body: &doc.body, origin: &doc.origin, diagnostics, documents };
        apply_site_child(doc, &mut r, &mut rd);
    }
    for doc in backend_children {
        let mut rd = Reader { id: &doc.id, body: &doc.body, origin: &doc.origin, diagnostics, documents };
        apply_backend_child(doc, &mut r, &mut rd);
    }
    // A VNet's subnet and peering lists come from the documents of its children.
    let subnet_ids: Vec<(ResourceId, ResourceId)> =
        r.subnets.iter().map(|(id, s)| (s.vnet.clone(), id.clone())).collect();
    for (vnet, subnet) in subnet_ids {
        if let Some(v) = r.virtual_networks.get_mut(&vnet) {
            v.subnets.push(subnet);
        }
    }
    let peering_ids: Vec<(ResourceId, ResourceId)> =
        r.peerings.iter().map(|(id, p)| (p.vnet.clone(), id.clone())).collect();
    for (vnet, peering) in peering_ids {
        if let Some(v) = r.virtual_networks.get_mut(&vnet) {
            v.peerings.push(peering);
        }
    }
    r
}
