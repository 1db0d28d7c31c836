//! `privlink inventory`: what the loader found and how it connected the pieces.

use crate::table::columns;
use privlink_model::*;
use serde::Serialize;
use std::collections::BTreeMap;

#[derive(Serialize)]
pub struct Inventory {
    pub estate: String,
    pub resources: usize,
    /// Resource count by ARM type (modelled types).
    pub counts: BTreeMap<String, usize>,
    /// Types privlink keeps as documents but does not analyse.
    pub unmodelled: BTreeMap<String, usize>,
    pub sites: Vec<SiteEntry>,
    pub private_endpoints: Vec<EndpointEntry>,
    pub private_dns_zones: Vec<ZoneEntry>,
    pub diagnostics: Vec<LoadDiagnostic>,
}

#[derive(Serialize)]
pub struct SiteEntry {
    pub id: ResourceId,
    pub name: String,
    pub kind: Option<String>,
    pub plan: Option<ResourceId>,
    pub plan_sku: Option<String>,
    pub integration_subnet: Option<ResourceId>,
    pub integration_vnet: Option<ResourceId>,
    pub integration_prefixes: Vec<String>,
    pub route_all: bool,
    pub identity: String,
}

#[derive(Serialize)]
pub struct EndpointEntry {
    pub id: ResourceId,
    pub name: String,
    pub subnet: Option<ResourceId>,
    pub nics: Vec<NicEntry>,
    pub target: Option<ResourceId>,
    pub group_ids: Vec<String>,
    pub status: Option<String>,
    pub manual: bool,
    pub zone_groups: Vec<ZoneGroupEntry>,
}

#[derive(Serialize)]
pub struct NicEntry {
    pub id: ResourceId,
    pub addresses: Vec<String>,
}

#[derive(Serialize)]
pub struct ZoneGroupEntry {
    pub id: ResourceId,
    pub zones: Vec<ResourceId>,
}

#[derive(Serialize)]
pub struct ZoneEntry {
    pub id: ResourceId,
    pub name: String,
    pub record_sets: usize,
    pub links: Vec<LinkEntry>,
}

#[derive(Serialize)]
pub struct LinkEntry {
    pub id: ResourceId,
    pub vnet: Option<ResourceId>,
    pub registration_enabled: bool,
    pub resolution_policy: String,
}

fn is_modelled(m: &Model, id: &ResourceId) -> bool {
    !m.resources.opaque.contains_key(id)
}

/// Whether the app's traffic to any destination enters the VNet (route all), from any of the
/// settings that can say so (azure-semantics §3.1).
fn route_all(site: &Site) -> bool {
    site.vnet_route_all_enabled.as_ref().is_some_and(|s| s.value)
        || site.outbound_vnet_routing.all_traffic == Some(true)
        || site.outbound_vnet_routing.application_traffic == Some(true)
        || site.app_setting("WEBSITE_VNET_ROUTE_ALL") == Some("1")
}

impl Inventory {
    pub fn new(model: &Model, estate: &str) -> Inventory {
        let mut counts = BTreeMap::new();
        let mut unmodelled = BTreeMap::new();
        for id in model.documents.keys() {
            let ty = canonical_type(&id.resource_type());
            let map = if is_modelled(model, id) { &mut counts } else { &mut unmodelled };
            *map.entry(ty).or_insert(0) += 1;
        }
        let r = &model.resources;
        let sites = r
            .sites
            .values()
            .map(|s| {
                let subnet = s.integration_subnet.as_ref().map(|x| x.value.clone());
                let subnet_res = subnet.as_ref().and_then(|id| r.subnets.get(id));
                SiteEntry {
                    id: s.meta.id.clone(),
                    name: s.meta.name.clone(),
                    kind: s.kind.clone(),
                    plan: s.plan.clone(),
                    plan_sku: s.plan.as_ref().and_then(|p| r.plans.get(p)).and_then(|p| p.sku_name.clone()),
                    integration_vnet: subnet.as_ref().and_then(|s| s.parent()),
                    integration_prefixes: subnet_res
                        .map(|s| s.prefixes.iter().map(|p| p.to_string()).collect())
                        .unwrap_or_default(),
                    integration_subnet: subnet,
                    route_all: route_all(s),
                    identity: s.identity.kind.clone(),
                }
            })
            .collect();
        let private_endpoints = r
            .private_endpoints
            .values()
            .map(|pe| {
                let conn = pe.primary_connection();
                EndpointEntry {
                    id: pe.meta.id.clone(),
                    name: pe.meta.name.clone(),
                    subnet: pe.subnet.clone(),
                    nics: model
                        .endpoint_nics(&pe.meta.id)
                        .map(|n| NicEntry {
                            id: n.meta.id.clone(),
                            addresses: n.private_ips().map(|a| a.to_string()).collect(),
                        })
                        .collect(),
                    target: conn.and_then(|c| c.target.clone()),
                    group_ids: conn.map(|c| c.group_ids.clone()).unwrap_or_default(),
                    status: conn.map(|c| c.status.as_str().to_string()),
                    manual: conn.is_some_and(|c| c.manual),
                    zone_groups: model
                        .indexes
                        .zone_groups_of_endpoint
                        .get(&pe.meta.id)
                        .into_iter()
                        .flatten()
                        .filter_map(|id| r.zone_groups.get(id))
                        .map(|zg| ZoneGroupEntry {
                            id: zg.meta.id.clone(),
                            zones: zg.configs.iter().filter_map(|c| c.zone.clone()).collect(),
                        })
                        .collect(),
                }
            })
            .collect();
        let private_dns_zones = r
            .private_dns_zones
            .values()
            .map(|z| ZoneEntry {
                id: z.meta.id.clone(),
                name: z.zone.to_string(),
                record_sets: model.indexes.records_of_zone.get(&z.meta.id).map_or(0, Vec::len),
                links: model
                    .indexes
                    .links_of_zone
                    .get(&z.meta.id)
                    .into_iter()
                    .flatten()
                    .filter_map(|id| r.virtual_network_links.get(id))
                    .map(|l| LinkEntry {
                        id: l.meta.id.clone(),
                        vnet: l.vnet.clone(),
                        registration_enabled: l.registration_enabled,
                        resolution_policy: format!("{:?}", l.resolution_policy),
                    })
                    .collect(),
            })
            .collect();
        Inventory {
            estate: estate.to_string(),
            resources: model.documents.len(),
            counts,
            unmodelled,
            sites,
            private_endpoints,
            private_dns_zones,
            diagnostics: model.diagnostics.clone(),
        }
    }

    pub fn to_text(&self) -> String {
        let mut out = String::new();
        out.push_str(&format!("Estate: {} ({} resources)\n\n", self.estate, self.resources));
        out.push_str("Resources by type\n");
        let rows: Vec<Vec<String>> = self.counts.iter().map(|(t, n)| vec![n.to_string(), t.clone()]).collect();
        out.push_str(&columns(&rows, 2));
        if !self.unmodelled.is_empty() {
            out.push_str("\nKept as documents, not analysed\n");
            let rows: Vec<Vec<String>> = self.unmodelled.iter().map(|(t, n)| vec![n.to_string(), t.clone()]).collect();
            out.push_str(&columns(&rows, 2));
        }
        out.push_str("\nApps\n");
        if self.sites.is_empty() {
            out.push_str("  (none)\n");
        }
        for s in &self.sites {
            out.push_str(&format!("  {} ({})\n", s.name, s.kind.as_deref().unwrap_or("app")));
            let mut rows = vec![vec![
                "plan".to_string(),
                match (&s.plan, &s.plan_sku) {
                    (Some(p), Some(sku)) => format!("{} ({sku})", p.name()),
                    (Some(p), None) => p.name().to_string(),
                    _ => "(none)".to_string(),
                },
            ]];
            rows.push(vec![
                "integration".to_string(),
                match &s.integration_subnet {
                    Some(sub) => format!(
                        "{}/{} ({})",
                        s.integration_vnet.as_ref().map(|v| v.name()).unwrap_or("?"),
                        sub.name(),
                        if s.integration_prefixes.is_empty() {
                            "not in estate".to_string()
                        } else {
                            s.integration_prefixes.join(", ")
                        }
                    ),
                    None => "none (no regional VNet integration)".to_string(),
                },
            ]);
            rows.push(vec!["route all".into(), if s.route_all { "on".into() } else { "off".into() }]);
            rows.push(vec!["identity".into(), s.identity.clone()]);
            out.push_str(&columns(&rows, 4));
        }
        out.push_str("\nPrivate endpoints\n");
        if self.private_endpoints.is_empty() {
            out.push_str("  (none)\n");
        }
        for pe in &self.private_endpoints {
            out.push_str(&format!("  {}\n", pe.name));
            let mut rows = Vec::new();
            rows.push(vec![
                "subnet".into(),
                pe.subnet
                    .as_ref()
                    .map(|s| format!("{}/{}", s.parent().map(|p| p.name().to_string()).unwrap_or_default(), s.name()))
                    .unwrap_or_else(|| "(none)".into()),
            ]);
            for nic in &pe.nics {
                rows.push(vec!["nic".into(), format!("{} {}", nic.id.name(), nic.addresses.join(", "))]);
            }
            rows.push(vec![
                "target".into(),
                match &pe.target {
                    Some(t) => format!(
                        "{} ({}) group {} — {}{}",
                        t.name(),
                        canonical_type(&t.resource_type()),
                        if pe.group_ids.is_empty() { "(none)".to_string() } else { pe.group_ids.join(",") },
                        pe.status.as_deref().unwrap_or("?"),
                        if pe.manual { " (manual)" } else { "" }
                    ),
                    None => "(none)".into(),
                },
            ]);
            if pe.zone_groups.is_empty() {
                rows.push(vec!["zone group".into(), "(none)".into()]);
            }
            for zg in &pe.zone_groups {
                let zones: Vec<&str> = zg.zones.iter().map(|z| z.name()).collect();
                rows.push(vec!["zone group".into(), format!("{} -> {}", zg.id.name(), zones.join(", "))]);
            }
            out.push_str(&columns(&rows, 4));
        }
        out.push_str("\nPrivate DNS zones\n");
        if self.private_dns_zones.is_empty() {
            out.push_str("  (none)\n");
        }
        for z in &self.private_dns_zones {
            out.push_str(&format!(
                "  {} ({}, {} record set{})\n",
                z.name,
                z.id.resource_group().unwrap_or("?"),
                z.record_sets,
                if z.record_sets == 1 { "" } else { "s" }
            ));
            let rows: Vec<Vec<String>> = if z.links.is_empty() {
                vec![vec!["link".into(), "(none: no VNet resolves this zone)".into()]]
            } else {
                z.links
                    .iter()
                    .map(|l| {
                        vec![
                            "link".into(),
                            format!(
                                "{} -> {} (registration {}, resolution {})",
                                l.id.name(),
                                l.vnet.as_ref().map(|v| v.name()).unwrap_or("?"),
                                if l.registration_enabled { "on" } else { "off" },
                                l.resolution_policy
                            ),
                        ]
                    })
                    .collect()
            };
            out.push_str(&columns(&rows, 4));
        }
        out.push_str(&format!(
            "\nLoad diagnostics: {}\n",
            if self.diagnostics.is_empty() { "none".to_string() } else { self.diagnostics.len().to_string() }
        ));
        for d in &self.diagnostics {
            out.push_str(&format!("  {d}\n"));
        }
        out
    }
}
