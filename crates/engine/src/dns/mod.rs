//! DNS resolution as seen from a view (azure-semantics §1).
//!
//! [`Resolver::new`] prepares lookups over a [`Model`] once; [`Resolver::resolve`] walks a name
//! the way the querier's DNS would: Azure-provided DNS consults the private zones linked to the
//! view's VNet at every name of the chain (longest zone wins, §1.3), forwarding rulesets linked to
//! that VNet send matching names elsewhere, and everything else is answered by the public DNS
//! model in [`public`]. Every step says which resource decided it.

pub mod dependencies;
pub mod firewall;
pub mod public;
pub mod servers;
pub mod soa;
pub mod view;

use crate::catalog::{self, Cloud, NameHints};
use privlink_model::arm_type;
use privlink_model::{
    ConnectionStatus, DnsName, ForwardingRule, Model, RecordData, RecordType, Region, ResolutionPolicy, ResourceId,
};
use serde::Serialize;
use servers::{Server, Vantage};
use std::collections::HashMap;
use std::net::IpAddr;
pub use view::{view_of, Answerer, Querier, View, ViewKind};

/// Longest chain followed before giving up (§1.3: "bounded, e.g. 16 hops").
pub const MAX_HOPS: usize = 16;

#[derive(Clone, Debug, Serialize, PartialEq, Eq)]
pub struct NameQuery {
    pub name: DnsName,
    #[serde(rename = "type")]
    pub record_type: RecordType,
    pub from: String,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub enum Rcode {
    #[serde(rename = "NOERROR")]
    NoError,
    #[serde(rename = "NXDOMAIN")]
    NxDomain,
    #[serde(rename = "SERVFAIL")]
    ServFail,
}

impl Rcode {
    pub fn as_str(&self) -> &'static str {
        match self {
            Rcode::NoError => "NOERROR",
            Rcode::NxDomain => "NXDOMAIN",
            Rcode::ServFail => "SERVFAIL",
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum ResolutionVerdict {
    /// Every address is private and inside a VNet of the estate.
    Private,
    /// Every address is public.
    Public,
    Nxdomain,
    /// privlink cannot tell (unknown server, unmodelled name, mixed or stray addresses, SERVFAIL).
    Indeterminate,
}

/// One record of the answer chain.
#[derive(Clone, Debug, Serialize, PartialEq, Eq)]
pub struct ChainRecord {
    pub name: DnsName,
    #[serde(rename = "type")]
    pub record_type: RecordType,
    pub data: String,
    pub ttl: u32,
    /// The record set id, or `public-dns` for the public DNS model.
    pub source: String,
}

/// The source of records that come from the public DNS model.
pub const PUBLIC_SOURCE: &str = "public-dns";

/// The answer to one query from one view, with its evidence.
#[derive(Clone, Debug, Serialize)]
pub struct Resolution {
    pub query: NameQuery,
    pub view: View,
    /// `null` when privlink cannot say what the server answers (the verdict is `indeterminate`).
    pub rcode: Option<Rcode>,
    pub verdict: ResolutionVerdict,
    pub addresses: Vec<IpAddr>,
    pub chain: Vec<ChainRecord>,
    pub explanation: Vec<String>,
    /// The private zone that gave the final answer (record or NXDOMAIN), if one did.
    pub zone: Option<ResourceId>,
    /// The record set that gave the final addresses, if a private zone did.
    pub record: Option<ResourceId>,
}

/// What the estate says about a customer-visible name (`kv1.vault.azure.net`).
#[derive(Clone, Debug)]
struct EstateName {
    resource: ResourceId,
    region: Option<Region>,
    /// The public suffix (`vault.azure.net`).
    suffix: DnsName,
    alias: Option<DnsName>,
    /// Private endpoints (or connections) approved for this name's group.
    approved: Vec<ResourceId>,
    /// Connections in another state: (endpoint or connection, status).
    not_approved: Vec<(ResourceId, String)>,
}

/// Lookups prepared once per model so that a query costs a few hash lookups.
pub struct Resolver<'m> {
    model: &'m Model,
    customer_names: HashMap<DnsName, EstateName>,
    /// `privatelink.` alias → customer name.
    aliases: HashMap<DnsName, DnsName>,
    /// VNet → zone name → (zone, link), sorted by zone id.
    linked_zones: HashMap<ResourceId, HashMap<String, Vec<(ResourceId, ResourceId)>>>,
}

struct Walk {
    chain: Vec<ChainRecord>,
    explanation: Vec<String>,
    zone: Option<ResourceId>,
    record: Option<ResourceId>,
}

enum Outcome {
    Answer(Vec<IpAddr>),
    NoData,
    NxDomain,
    ServFail,
    Unknown,
}

enum PublicAnswer {
    Cname(DnsName, Option<String>),
    Address(IpAddr),
    NxDomain(String),
    Unknown(String),
}

impl<'m> Resolver<'m> {
    pub fn new(model: &'m Model) -> Resolver<'m> {
        let mut resolver =
            Resolver { model, customer_names: HashMap::new(), aliases: HashMap::new(), linked_zones: HashMap::new() };
        resolver.index_customer_names();
        for (link_id, link) in &model.resources.virtual_network_links {
            let (Some(vnet), Some(zone)) = (&link.vnet, model.resources.private_dns_zones.get(&link.zone)) else {
                continue;
            };
            let by_name = resolver.linked_zones.entry(vnet.clone()).or_default();
            let entry = by_name.entry(zone.zone.as_str().to_string()).or_default();
            entry.push((link.zone.clone(), link_id.clone()));
            entry.sort();
        }
        resolver
    }

    fn index_customer_names(&mut self) {
        let model = self.model;
        let mut resources: Vec<(ResourceId, String, NameHints<'_>)> = Vec::new();
        for b in model.resources.backends.values() {
            let hints = NameHints {
                account_kind: b.resource_kind.as_deref(),
                custom_sub_domain: b.custom_subdomain.as_deref(),
                region: b.meta.region(),
                ..Default::default()
            };
            resources.push((b.meta.id.clone(), b.resource_type.clone(), hints));
        }
        for s in model.resources.sites.values() {
            let hints = NameHints { region: s.meta.region(), ..NameHints::default() };
            resources.push((s.meta.id.clone(), arm_type::SITES.into(), hints));
        }
        for (id, resource_type, hints) in resources {
            // Templated group ids (`sites-{slotName}`) become names only through the concrete
            // group ids the estate's connections use (`sites-stage` → `{app}-stage`).
            let used = self.connection_group_ids(&id);
            for entry in catalog::entries_for_type(&resource_type) {
                let mut groups: Vec<String> =
                    entry.group_ids.iter().filter(|g| !g.contains('{')).map(|g| g.to_string()).collect();
                for g in used.iter().filter(|g| entry.serves_group(g)) {
                    if !groups.iter().any(|f| f.eq_ignore_ascii_case(g)) {
                        groups.push(g.clone());
                    }
                }
                for group in &groups {
                    let group = group.as_str();
                    let (approved, not_approved) = self.connections(&id, group);
                    for name in customer_fqdns(&resource_type, id.name(), group, &hints) {
                        let Some(suffix) = public::frontend_suffix(&name) else { continue };
                        let alias = catalog::privatelink_alias(Cloud::Public, &name);
                        if let Some(a) = &alias {
                            self.aliases.entry(a.clone()).or_insert_with(|| name.clone());
                        }
                        self.customer_names.entry(name).or_insert_with(|| EstateName {
                            resource: id.clone(),
                            region: hints.region.clone(),
                            suffix,
                            alias,
                            approved: approved.clone(),
                            not_approved: not_approved.clone(),
                        });
                    }
                }
            }
        }
    }

    /// The group ids that connections to `target` name, from both sides, lower-cased and sorted.
    fn connection_group_ids(&self, target: &ResourceId) -> Vec<String> {
        let mut groups: Vec<String> = Vec::new();
        if let Some(b) = self.model.resources.backends.get(target) {
            groups.extend(b.connections.iter().flat_map(|c| c.group_ids.iter().map(|g| g.to_ascii_lowercase())));
        }
        for pe_id in self.model.indexes.endpoints_of_target.get(target).into_iter().flatten() {
            let Some(pe) = self.model.resources.private_endpoints.get(pe_id) else { continue };
            for c in pe.connections.iter().filter(|c| c.target.as_ref() == Some(target)) {
                groups.extend(c.group_ids.iter().map(|g| g.to_ascii_lowercase()));
            }
        }
        groups.sort();
        groups.dedup();
        groups
    }

    /// Connections to `target` for `group`: from the target's own `privateEndpointConnections`
    /// and from the private endpoints of the estate that point at it.
    fn connections(&self, target: &ResourceId, group: &str) -> (Vec<ResourceId>, Vec<(ResourceId, String)>) {
        let serves = |groups: &[String]| groups.is_empty() || groups.iter().any(|g| g.eq_ignore_ascii_case(group));
        let mut approved = Vec::new();
        let mut others = Vec::new();
        let mut record = |who: ResourceId, status: &ConnectionStatus| {
            if *status == ConnectionStatus::Approved {
                approved.push(who);
            } else {
                others.push((who, status.as_str().to_string()));
            }
        };
        if let Some(b) = self.model.resources.backends.get(target) {
            for c in &b.connections {
                if let Some(who) = c.private_endpoint.clone().or_else(|| c.id.clone()) {
                    if serves(&c.group_ids) {
                        record(who, &c.status);
                    }
                }
            }
        }
        for pe_id in self.model.indexes.endpoints_of_target.get(target).into_iter().flatten() {
            let Some(pe) = self.model.resources.private_endpoints.get(pe_id) else { continue };
            for c in pe.connections.iter().filter(|c| c.target.as_ref() == Some(target) && serves(&c.group_ids)) {
                record(pe_id.clone(), &c.status);
            }
        }
        approved.sort();
        approved.dedup();
        others.retain(|(who, _)| !approved.contains(who));
        others.sort();
        others.dedup();
        (approved, others)
    }

    /// Resolves `name` for `record_type` as `view` sees it.
    pub fn resolve(&self, view: &View, name: &DnsName, record_type: RecordType) -> Resolution {
        let mut walk = Walk { chain: Vec::new(), explanation: view.explanation.clone(), zone: None, record: None };
        let outcome = match &view.answerer {
            Answerer::Unknown { .. } => Outcome::Unknown,
            Answerer::Public => self.walk(None, name, record_type, &mut walk),
            Answerer::AzureDns { vnet } => self.walk(Some(vnet.clone()), name, record_type, &mut walk),
        };
        let (rcode, addresses) = match outcome {
            Outcome::Answer(a) => (Some(Rcode::NoError), a),
            Outcome::NoData => (Some(Rcode::NoError), Vec::new()),
            Outcome::NxDomain => (Some(Rcode::NxDomain), Vec::new()),
            Outcome::ServFail => (Some(Rcode::ServFail), Vec::new()),
            Outcome::Unknown => (None, Vec::new()),
        };
        let verdict = self.verdict(rcode, &addresses, &mut walk.explanation);
        Resolution {
            query: NameQuery { name: name.clone(), record_type, from: view.from.clone() },
            view: view.clone(),
            rcode,
            verdict,
            addresses,
            chain: walk.chain,
            explanation: walk.explanation,
            zone: walk.zone,
            record: walk.record,
        }
    }

    fn verdict(&self, rcode: Option<Rcode>, addresses: &[IpAddr], why: &mut Vec<String>) -> ResolutionVerdict {
        match rcode {
            None | Some(Rcode::ServFail) => return ResolutionVerdict::Indeterminate,
            Some(Rcode::NxDomain) => return ResolutionVerdict::Nxdomain,
            Some(Rcode::NoError) => {}
        }
        if addresses.is_empty() {
            why.push("The answer has no address of the requested type.".into());
            return ResolutionVerdict::Indeterminate;
        }
        let mut all_private = true;
        for ip in addresses {
            if !view::is_private(*ip) {
                all_private = false;
                continue;
            }
            let vnet = self.model.vnet_containing(*ip).map(|v| v.meta.id.clone());
            let holder = self.model.indexes.nics_by_ip.get(ip).and_then(|n| n.first());
            match (vnet, holder) {
                (Some(vnet), Some(nic)) => {
                    let pe = self.model.resources.network_interfaces.get(nic).and_then(|n| n.private_endpoint.clone());
                    match pe {
                        Some(pe) => why.push(format!("{ip} is held by NIC {nic} of private endpoint {pe} in VNet {vnet}.")),
                        None => why.push(format!("{ip} is held by NIC {nic} in VNet {vnet}.")),
                    }
                }
                (Some(vnet), None) => why.push(format!(
                    "{ip} lies in VNet {vnet}, but no NIC of the estate holds it: the record may be stale (an old private endpoint's address)."
                )),
                (None, _) => {
                    why.push(format!(
                        "{ip} is a private address outside every VNet of the estate: the record may be stale or point at a network privlink was not given."
                    ));
                    all_private = false;
                }
            }
        }
        let all_public = addresses.iter().all(|ip| view::is_public(*ip));
        if all_private {
            ResolutionVerdict::Private
        } else if all_public {
            ResolutionVerdict::Public
        } else {
            ResolutionVerdict::Indeterminate
        }
    }

    fn walk(&self, mut vnet: Option<ResourceId>, qname: &DnsName, qtype: RecordType, walk: &mut Walk) -> Outcome {
        let mut current = qname.clone();
        let mut seen: Vec<DnsName> = Vec::new();
        let mut forwarded_to: Vec<ResourceId> = vnet.iter().cloned().collect();
        for _ in 0..MAX_HOPS {
            if let Some(pos) = seen.iter().position(|n| *n == current) {
                let names: Vec<&str> = seen[pos..].iter().map(DnsName::as_str).chain([current.as_str()]).collect();
                walk.explanation
                    .push(format!("CNAME loop: {}; the resolver gives up with SERVFAIL.", names.join(" → ")));
                return Outcome::ServFail;
            }
            seen.push(current.clone());
            if let Some(v) = vnet.clone() {
                if let Some((rule_id, rule)) = self.forwarding_rule(&v, &current) {
                    match self.forward(&v, &current, rule_id, rule, &forwarded_to, walk) {
                        Forward::To(next) => {
                            forwarded_to.extend(next.clone());
                            vnet = next;
                            seen.pop();
                            continue;
                        }
                        Forward::Stop(outcome) => return outcome,
                    }
                }
                if let Some((zone_id, link_id)) = self.linked_zone(&v, &current) {
                    match self.zone_step(&zone_id, &link_id, &v, &current, qtype, walk) {
                        ZoneStep::Done(outcome) => return outcome,
                        ZoneStep::Follow(next) => {
                            current = next;
                            continue;
                        }
                        ZoneStep::Public => {}
                    }
                }
            }
            match self.public_answer(&current) {
                PublicAnswer::Cname(target, why) => {
                    walk.explanation.extend(why);
                    walk.chain.push(ChainRecord {
                        name: current.clone(),
                        record_type: RecordType::CNAME,
                        data: target.to_string(),
                        ttl: public::PUBLIC_CNAME_TTL,
                        source: PUBLIC_SOURCE.into(),
                    });
                    if qtype == RecordType::CNAME {
                        return Outcome::NoData;
                    }
                    current = target;
                }
                PublicAnswer::Address(ip) => {
                    if qtype != RecordType::A {
                        walk.explanation.push(public::explain_only_a_record(&current, qtype));
                        return Outcome::NoData;
                    }
                    walk.explanation.push(public::explain_frontend_address(&current, ip));
                    walk.chain.push(ChainRecord {
                        name: current.clone(),
                        record_type: RecordType::A,
                        data: ip.to_string(),
                        ttl: public::PUBLIC_A_TTL,
                        source: PUBLIC_SOURCE.into(),
                    });
                    return Outcome::Answer(vec![ip]);
                }
                PublicAnswer::NxDomain(why) => {
                    walk.explanation.push(why);
                    return Outcome::NxDomain;
                }
                PublicAnswer::Unknown(why) => {
                    walk.explanation.push(why);
                    return Outcome::Unknown;
                }
            }
        }
        walk.explanation
            .push(format!("The chain is longer than {MAX_HOPS} names; the resolver gives up with SERVFAIL."));
        Outcome::ServFail
    }

    /// The longest zone linked to `vnet` that contains `name` (§1.3; which of overlapping zones
    /// answers is a modelling choice, registered in `dns/public.rs`). Looks up each ancestor of the name: no scan over zones.
    fn linked_zone(&self, vnet: &ResourceId, name: &DnsName) -> Option<(ResourceId, ResourceId)> {
        let zones = self.linked_zones.get(vnet)?;
        let s = name.as_str();
        let mut start = 0;
        loop {
            if let Some(found) = zones.get(&s[start..]).and_then(|v| v.first()) {
                return Some(found.clone());
            }
            start += s[start..].find('.')? + 1;
        }
    }

    /// The enabled forwarding rule with the longest domain matching `name`, among the rulesets
    /// linked to `vnet` (ties: the least rule id).
    fn forwarding_rule(&self, vnet: &ResourceId, name: &DnsName) -> Option<(&'m ResourceId, &'m ForwardingRule)> {
        let model = self.model;
        let rulesets = model.indexes.rulesets_of_vnet.get(vnet)?;
        let mut best: Option<(usize, &ResourceId, &ForwardingRule)> = None;
        for rs in rulesets {
            for rule_id in model.indexes.rules_of_ruleset.get(rs).into_iter().flatten() {
                let Some(rule) = model.resources.forwarding_rules.get(rule_id) else { continue };
                if !rule.enabled || rule.targets.is_empty() || !name.is_within(&rule.domain) {
                    continue;
                }
                let len = rule.domain.as_str().len();
                if best.as_ref().is_none_or(|(l, id, _)| len > *l || (len == *l && rule_id < *id)) {
                    best = Some((len, rule_id, rule));
                }
            }
        }
        best.map(|(_, id, rule)| (id, rule))
    }

    /// The VNet a ruleset's queries leave from: that of its first outbound endpoint's resolver.
    fn outbound_vnet(&self, ruleset: &ResourceId) -> Option<ResourceId> {
        let r = &self.model.resources;
        let endpoint =
            r.forwarding_rulesets.get(ruleset)?.outbound_endpoints.iter().find_map(|e| r.outbound_endpoints.get(e))?;
        r.dns_resolvers
            .get(&endpoint.resolver)
            .and_then(|d| d.vnet.clone())
            .or_else(|| endpoint.subnet.as_ref().and_then(ResourceId::parent))
    }

    /// Where forwarding rule `rule` sends `name`, asked from VNet `v`: what answers at its targets
    /// (all alike, or the first that answers: a modelling choice registered in `public`).
    fn forward(
        &self,
        v: &ResourceId,
        name: &DnsName,
        rule_id: &ResourceId,
        rule: &ForwardingRule,
        forwarded_to: &[ResourceId],
        walk: &mut Walk,
    ) -> Forward {
        let domain = &rule.domain;
        let from = self.outbound_vnet(&rule.ruleset).unwrap_or_else(|| v.clone());
        let targets: Vec<(IpAddr, Server)> =
            rule.targets.iter().map(|t| (t.ip, servers::at(self.model, t.ip, Vantage::Vnet(&from), 0))).collect();
        let listed: Vec<String> = targets.iter().map(|(ip, _)| ip.to_string()).collect();
        let answering: Vec<&(IpAddr, Server)> = targets.iter().filter(|(_, s)| !s.silent).collect();
        let Some((target, chosen)) = answering.first().copied() else {
            walk.explanation.push(format!(
                "Forwarding rule {rule_id} (domain {domain}), in a ruleset linked to VNet {v}, sends {name} to {}, where nothing answers:",
                listed.join(", ")
            ));
            walk.explanation.extend(targets.iter().flat_map(|(_, s)| s.explanation.iter().cloned()));
            return Forward::Stop(Outcome::Unknown);
        };
        if targets.len() > 1 {
            if answering.iter().all(|(_, s)| s.answerer == chosen.answerer) {
                walk.explanation.push(format!(
                    "Forwarding rule {rule_id} has target DNS servers {}; those that answer all lead to {}.",
                    listed.join(", "),
                    servers::describe(&chosen.answerer)
                ));
            } else {
                let others: Vec<String> = targets.iter().map(|(ip, s)| s.leads_from(*ip)).collect();
                walk.explanation.push(public::explain_first_target_answers(rule_id, &target.to_string(), &others));
            }
        }
        let sends = format!(
            "Forwarding rule {rule_id} (domain {domain}), in a ruleset linked to VNet {v}, sends {name} to {target}"
        );
        match &chosen.answerer {
            Answerer::AzureDns { vnet: rv } if forwarded_to.contains(rv) => {
                walk.explanation.push(format!(
                    "Forwarding rule {rule_id} sends {name} back to VNet {rv}, which already forwarded it: a forwarding loop; SERVFAIL."
                ));
                Forward::Stop(Outcome::ServFail)
            }
            Answerer::AzureDns { vnet: rv } if chosen.kind == ViewKind::PrivateResolver => {
                let inbound =
                    self.model.indexes.resolver_inbound_by_ip.get(target).map(ToString::to_string).unwrap_or_default();
                walk.explanation
                    .push(format!("{sends}, inbound endpoint {inbound}: Azure DNS of VNet {rv} resolves it."));
                Forward::To(Some(rv.clone()))
            }
            Answerer::AzureDns { vnet: rv } => {
                walk.explanation.push(format!("{sends}:"));
                walk.explanation.extend(chosen.explanation.iter().cloned());
                Forward::To(Some(rv.clone()))
            }
            Answerer::Public => {
                walk.explanation.push(format!("{sends}:"));
                walk.explanation.extend(chosen.explanation.iter().cloned());
                Forward::To(None)
            }
            Answerer::Unknown { .. } if chosen.kind == ViewKind::CustomDns => {
                walk.explanation
                    .push(format!("{sends}, a server privlink does not know; what it answers cannot be said."));
                Forward::Stop(Outcome::Unknown)
            }
            Answerer::Unknown { .. } => {
                walk.explanation.push(format!("{sends}:"));
                walk.explanation.extend(chosen.explanation.iter().cloned());
                Forward::Stop(Outcome::Unknown)
            }
        }
    }

    fn zone_step(
        &self,
        zone_id: &ResourceId,
        link_id: &ResourceId,
        vnet: &ResourceId,
        name: &DnsName,
        qtype: RecordType,
        walk: &mut Walk,
    ) -> ZoneStep {
        let record_in_zone = |t: RecordType| {
            self.model
                .indexes
                .records_by_name
                .get(&(name.clone(), t))
                .and_then(|ids| {
                    ids.iter().find(|id| self.model.resources.record_sets.get(*id).is_some_and(|r| r.zone == *zone_id))
                })
                .and_then(|id| self.model.resources.record_sets.get(id))
        };
        let zone_name = zone_id.name();
        // Azure creates every private zone with its SOA record at the apex, so the apex always
        // exists: SOA is answered there, and another type without a record is NODATA, never
        // NXDOMAIN (issue 17).
        let at_apex = DnsName::parse(zone_name).is_ok_and(|apex| apex == *name);
        if at_apex && qtype == RecordType::SOA {
            let soa = &public::PRIVATE_ZONE_SOA;
            walk.explanation.push(format!(
                "Private zone {zone_id} is linked to VNet {vnet} by {link_id}; {name} is its apex, where Azure keeps the zone's SOA record."
            ));
            walk.chain.push(ChainRecord {
                name: name.clone(),
                record_type: RecordType::SOA,
                data: format!(
                    "{} {} {} {} {} {} {}",
                    soa.mname, soa.rname, soa.serial, soa.refresh, soa.retry, soa.expire, soa.minimum
                ),
                ttl: soa.ttl,
                source: zone_id.to_string(),
            });
            walk.zone = Some(zone_id.clone());
            return ZoneStep::Done(Outcome::NoData);
        }
        if qtype != RecordType::CNAME {
            if let Some(rs) = record_in_zone(qtype) {
                let addresses = rs.addresses();
                walk.explanation.push(format!(
                    "Private zone {zone_id} is linked to VNet {vnet} by {link_id}; its record set {} answers {name} {} {}.",
                    rs.meta.id,
                    qtype.as_str(),
                    addresses.iter().map(IpAddr::to_string).collect::<Vec<_>>().join(", ")
                ));
                for ip in &addresses {
                    walk.chain.push(ChainRecord {
                        name: name.clone(),
                        record_type: qtype,
                        data: ip.to_string(),
                        ttl: rs.ttl,
                        source: rs.meta.id.to_string(),
                    });
                }
                walk.zone = Some(zone_id.clone());
                walk.record = Some(rs.meta.id.clone());
                return ZoneStep::Done(Outcome::Answer(addresses));
            }
        }
        if let Some(rs) = record_in_zone(RecordType::CNAME) {
            if let RecordData::CNAME(Some(target)) = &rs.data {
                walk.explanation.push(format!(
                    "Private zone {zone_id} is linked to VNet {vnet} by {link_id}; its record set {} answers {name} CNAME {target}.",
                    rs.meta.id
                ));
                walk.chain.push(ChainRecord {
                    name: name.clone(),
                    record_type: RecordType::CNAME,
                    data: target.to_string(),
                    ttl: rs.ttl,
                    source: rs.meta.id.to_string(),
                });
                walk.zone = Some(zone_id.clone());
                walk.record = Some(rs.meta.id.clone());
                return if qtype == RecordType::CNAME {
                    ZoneStep::Done(Outcome::NoData)
                } else {
                    ZoneStep::Follow(target.clone())
                };
            }
        }
        let other =
            [RecordType::A, RecordType::AAAA, RecordType::CNAME, RecordType::TXT, RecordType::MX, RecordType::SRV]
                .into_iter()
                .find_map(record_in_zone);
        if let Some(rs) = other {
            walk.explanation.push(format!(
                "Private zone {zone_id} (linked to VNet {vnet} by {link_id}) has record set {} for {name} but no {} record: NOERROR with no answer.",
                rs.meta.id,
                qtype.as_str()
            ));
            walk.zone = Some(zone_id.clone());
            return ZoneStep::Done(Outcome::NoData);
        }
        if at_apex {
            walk.explanation.push(format!(
                "Private zone {zone_id} (linked to VNet {vnet} by {link_id}) has no {} record at its apex {name}, which exists (it holds the zone's SOA): NOERROR with no answer.",
                qtype.as_str()
            ));
            walk.zone = Some(zone_id.clone());
            return ZoneStep::Done(Outcome::NoData);
        }
        let policy = self.model.resources.virtual_network_links.get(link_id).map(|l| l.resolution_policy);
        let redirect = policy == Some(ResolutionPolicy::NxDomainRedirect)
            && catalog::is_privatelink_zone(Cloud::Public, &DnsName::parse(zone_name).unwrap_or_else(|_| name.clone()))
            && matches!(qtype, RecordType::A | RecordType::AAAA | RecordType::CNAME);
        if redirect {
            walk.explanation.push(format!(
                "Private zone {zone_id} (linked to VNet {vnet} by {link_id}) has no record for {name}, but the link's resolutionPolicy is NxDomainRedirect: the query falls back to public DNS (https://learn.microsoft.com/azure/private-link/private-endpoint-dns-integration)."
            ));
            return ZoneStep::Public;
        }
        walk.explanation.push(format!(
            "Private zone {zone_id} is linked to VNet {vnet} by {link_id} and is authoritative for {name}, but has no record for it: NXDOMAIN, with no public fallback (https://learn.microsoft.com/azure/private-link/private-endpoint-dns-integration)."
        ));
        walk.zone = Some(zone_id.clone());
        ZoneStep::Done(Outcome::NxDomain)
    }

    /// Public DNS for one name (§1.2); invented parts come from [`public`].
    fn public_answer(&self, name: &DnsName) -> PublicAnswer {
        if public::is_frontend_name(name) {
            return PublicAnswer::Address(public::frontend_address(name));
        }
        if let Some(known) = self.customer_names.get(name) {
            let resource = &known.resource;
            if let (Some(alias), false) = (&known.alias, known.approved.is_empty()) {
                let who: Vec<String> = known.approved.iter().map(ResourceId::to_string).collect();
                return PublicAnswer::Cname(
                    alias.clone(),
                    Some(format!(
                        "Public DNS: {resource} has an approved private endpoint connection ({}), so Azure inserts the alias {name} CNAME {alias} (https://learn.microsoft.com/azure/private-link/private-endpoint-dns).",
                        who.join(", ")
                    )),
                );
            }
            let frontend = public::frontend_name(known.region.as_ref(), &known.suffix);
            let why = if known.not_approved.is_empty() {
                format!("Public DNS: {resource} has no approved private endpoint connection, so its public chain has no privatelink hop (https://learn.microsoft.com/azure/private-link/private-endpoint-dns).")
            } else {
                let states: Vec<String> = known.not_approved.iter().map(|(w, s)| format!("{w} is {s}")).collect();
                public::explain_only_approved_inserts_privatelink(resource, &states)
            };
            return PublicAnswer::Cname(frontend, Some(why));
        }
        if let Some(customer) = self.aliases.get(name) {
            let known = &self.customer_names[customer];
            if known.approved.is_empty() {
                return PublicAnswer::NxDomain(format!(
                    "Public DNS has no {name}: {} has no approved private endpoint connection, so Azure publishes no privatelink alias (https://learn.microsoft.com/azure/private-link/private-endpoint-dns).",
                    known.resource
                ));
            }
            return PublicAnswer::Cname(public::frontend_name(known.region.as_ref(), &known.suffix), None);
        }
        match catalog::lookup_fqdn(Cloud::Public, name) {
            Some(found) if found.kind == catalog::ZoneKind::Public => {
                let frontend = public::frontend_name(None, &found.suffix);
                PublicAnswer::Cname(
                    frontend,
                    Some(public::explain_unknown_resource_has_no_endpoint(
                        name,
                        found.entry.service,
                        found.entry.private_zones(Cloud::Public).first().copied().unwrap_or("privatelink"),
                    )),
                )
            }
            Some(found) => PublicAnswer::Unknown(format!(
                "{name} is in the {} zone of {}, but no resource of the estate owns it; whether public DNS has it depends on a private endpoint privlink does not know.",
                found.suffix, found.entry.service
            )),
            None => PublicAnswer::Unknown(format!(
                "No modelled resource or catalogued service explains {name}; privlink does not guess its public answer."
            )),
        }
    }
}

/// Where a forwarding rule sends a name: on to Azure DNS of a VNet (or public DNS, `None`), or an
/// end of the walk.
enum Forward {
    To(Option<ResourceId>),
    Stop(Outcome),
}

enum ZoneStep {
    Done(Outcome),
    Follow(DnsName),
    Public,
}

fn customer_fqdns(resource_type: &str, name: &str, group: &str, hints: &NameHints<'_>) -> Vec<DnsName> {
    catalog::customer_fqdns(Cloud::Public, resource_type, name, group, hints)
}

/// One-shot convenience: prepares a [`Resolver`] and resolves one name.
pub fn resolve(model: &Model, view: &View, name: &DnsName, record_type: RecordType) -> Resolution {
    Resolver::new(model).resolve(view, name, record_type)
}
