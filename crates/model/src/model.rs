//! The [`Model`]: typed resources by id plus the indexes the engine needs, built once.

use crate::access::*;
use crate::arm_type;
use crate::backend::Backend;
use crate::dns::*;
use crate::firewall::{AzureFirewall, FirewallPolicy};
use crate::network::*;
use crate::web::*;
use crate::{DnsName, LoadDiagnostic, Origin, ResourceId};
use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::net::IpAddr;

/// An ARM document as read: the JSON object exactly as given, and where it came from.
#[derive(Clone, Debug)]
pub struct Document {
    pub id: ResourceId,
    pub body: serde_json::Value,
    pub origin: Origin,
}

/// A resource of a type privlink does not model: kept and counted, never dropped silently.
#[derive(Clone, Debug)]
pub struct OpaqueResource {
    pub meta: Meta,
    pub resource_type: String,
}

/// Every typed resource, by id. Iteration order is the id order, so output built from it is
/// deterministic whatever the input order.
#[derive(Clone, Debug, Default)]
pub struct Resources {
    pub virtual_networks: BTreeMap<ResourceId, VirtualNetwork>,
    pub subnets: BTreeMap<ResourceId, Subnet>,
    pub peerings: BTreeMap<ResourceId, VnetPeering>,
    pub network_security_groups: BTreeMap<ResourceId, NetworkSecurityGroup>,
    pub route_tables: BTreeMap<ResourceId, RouteTable>,
    pub network_interfaces: BTreeMap<ResourceId, NetworkInterface>,
    pub private_endpoints: BTreeMap<ResourceId, PrivateEndpoint>,
    pub private_dns_zones: BTreeMap<ResourceId, PrivateDnsZone>,
    pub record_sets: BTreeMap<ResourceId, RecordSet>,
    pub virtual_network_links: BTreeMap<ResourceId, VirtualNetworkLink>,
    pub zone_groups: BTreeMap<ResourceId, PrivateDnsZoneGroup>,
    pub plans: BTreeMap<ResourceId, AppServicePlan>,
    pub sites: BTreeMap<ResourceId, Site>,
    pub backends: BTreeMap<ResourceId, Backend>,
    pub dns_resolvers: BTreeMap<ResourceId, DnsResolver>,
    pub inbound_endpoints: BTreeMap<ResourceId, ResolverInboundEndpoint>,
    pub outbound_endpoints: BTreeMap<ResourceId, ResolverOutboundEndpoint>,
    pub forwarding_rulesets: BTreeMap<ResourceId, ForwardingRuleset>,
    pub forwarding_rules: BTreeMap<ResourceId, ForwardingRule>,
    pub ruleset_links: BTreeMap<ResourceId, RulesetVnetLink>,
    pub azure_firewalls: BTreeMap<ResourceId, AzureFirewall>,
    pub firewall_policies: BTreeMap<ResourceId, FirewallPolicy>,
    pub role_assignments: BTreeMap<ResourceId, RoleAssignment>,
    pub user_assigned_identities: BTreeMap<ResourceId, UserAssignedIdentity>,
    pub key_vault_secrets: BTreeMap<ResourceId, KeyVaultSecret>,
    pub redis_access_policy_assignments: BTreeMap<ResourceId, RedisAccessPolicyAssignment>,
    pub sql_contained_users: BTreeMap<ResourceId, SqlContainedUsers>,
    pub opaque: BTreeMap<ResourceId, OpaqueResource>,
}

impl Resources {
    /// Moves every resource of `other` into `self` (ids are unique across parts). The
    /// destructuring makes a new field a compile error here instead of a silently dropped resource.
    pub fn append(&mut self, other: &mut Resources) {
        let Resources {
            virtual_networks,
            subnets,
            peerings,
            network_security_groups,
            route_tables,
            network_interfaces,
            private_endpoints,
            private_dns_zones,
            record_sets,
            virtual_network_links,
            zone_groups,
            plans,
            sites,
            backends,
            dns_resolvers,
            inbound_endpoints,
            outbound_endpoints,
            forwarding_rulesets,
            forwarding_rules,
            ruleset_links,
            azure_firewalls,
            firewall_policies,
            role_assignments,
            user_assigned_identities,
            key_vault_secrets,
            redis_access_policy_assignments,
            sql_contained_users,
            opaque,
        } = other;
        self.virtual_networks.append(virtual_networks);
        self.subnets.append(subnets);
        self.peerings.append(peerings);
        self.network_security_groups.append(network_security_groups);
        self.route_tables.append(route_tables);
        self.network_interfaces.append(network_interfaces);
        self.private_endpoints.append(private_endpoints);
        self.private_dns_zones.append(private_dns_zones);
        self.record_sets.append(record_sets);
        self.virtual_network_links.append(virtual_network_links);
        self.zone_groups.append(zone_groups);
        self.plans.append(plans);
        self.sites.append(sites);
        self.backends.append(backends);
        self.dns_resolvers.append(dns_resolvers);
        self.inbound_endpoints.append(inbound_endpoints);
        self.outbound_endpoints.append(outbound_endpoints);
        self.forwarding_rulesets.append(forwarding_rulesets);
        self.forwarding_rules.append(forwarding_rules);
        self.ruleset_links.append(ruleset_links);
        self.azure_firewalls.append(azure_firewalls);
        self.firewall_policies.append(firewall_policies);
        self.role_assignments.append(role_assignments);
        self.user_assigned_identities.append(user_assigned_identities);
        self.key_vault_secrets.append(key_vault_secrets);
        self.redis_access_policy_assignments.append(redis_access_policy_assignments);
        self.sql_contained_users.append(sql_contained_users);
        self.opaque.append(opaque);
    }
}

/// Lookups built once from [`Resources`]. Every list is sorted.
#[derive(Clone, Debug, Default)]
pub struct Indexes {
    /// VNet → its subnets.
    pub subnets_of_vnet: BTreeMap<ResourceId, Vec<ResourceId>>,
    /// VNet → its peerings.
    pub peerings_of_vnet: BTreeMap<ResourceId, Vec<ResourceId>>,
    /// Subnet → resources placed in it (NICs, private endpoints, integrated sites).
    pub subnet_members: BTreeMap<ResourceId, Vec<ResourceId>>,
    /// Zone → its virtual network links.
    pub links_of_zone: BTreeMap<ResourceId, Vec<ResourceId>>,
    /// VNet → the links that point at it.
    pub links_of_vnet: BTreeMap<ResourceId, Vec<ResourceId>>,
    /// Zone → its record sets.
    pub records_of_zone: BTreeMap<ResourceId, Vec<ResourceId>>,
    /// Zone name → zones of that name (several may exist in different groups or subscriptions).
    pub zones_by_name: BTreeMap<DnsName, Vec<ResourceId>>,
    /// (FQDN, type) → record sets.
    pub records_by_name: HashMap<(DnsName, RecordType), Vec<ResourceId>>,
    /// Private endpoint → its NICs (from the PE's `networkInterfaces` and the NICs' `privateEndpoint`).
    pub nics_of_endpoint: BTreeMap<ResourceId, Vec<ResourceId>>,
    /// Private endpoint → its zone groups.
    pub zone_groups_of_endpoint: BTreeMap<ResourceId, Vec<ResourceId>>,
    /// Target resource → private endpoints whose connection targets it.
    pub endpoints_of_target: BTreeMap<ResourceId, Vec<ResourceId>>,
    /// VNet (the parent of the endpoint's subnet id) → private endpoints placed in it.
    pub endpoints_of_vnet: BTreeMap<ResourceId, Vec<ResourceId>>,
    /// Private endpoints that name no subnet (sorted).
    pub endpoints_without_subnet: Vec<ResourceId>,
    /// Private IP → the NICs holding it.
    pub nics_by_ip: HashMap<IpAddr, Vec<ResourceId>>,
    /// Inbound endpoint address of a DNS private resolver → the inbound endpoint.
    pub resolver_inbound_by_ip: HashMap<IpAddr, ResourceId>,
    /// Private address of an Azure Firewall (where its DNS proxy listens) → the firewall.
    pub firewall_by_ip: HashMap<IpAddr, ResourceId>,
    /// Forwarding ruleset → its rules.
    pub rules_of_ruleset: BTreeMap<ResourceId, Vec<ResourceId>>,
    /// VNet → forwarding rulesets linked to it.
    pub rulesets_of_vnet: BTreeMap<ResourceId, Vec<ResourceId>>,
    /// Plan → sites on it.
    pub sites_of_plan: BTreeMap<ResourceId, Vec<ResourceId>>,
    /// Lower-case name and lower-case custom subdomain of each backend → the backends (sorted).
    pub backends_by_name: HashMap<String, Vec<ResourceId>>,
    /// Lower-case site name → the sites of that name (sorted).
    pub sites_by_name: HashMap<String, Vec<ResourceId>>,
    /// A VNet address prefix (truncated) → the first VNet, in id order, whose address space holds it.
    pub vnets_by_prefix: HashMap<ipnet::IpNet, ResourceId>,
    /// The prefix lengths in `vnets_by_prefix`, so a lookup probes each length once.
    pub vnet_prefix_lengths: Vec<u8>,
    /// Principal object id (lower-cased) → the role assignments granted to it; `""` holds those
    /// whose principal is known only after deployment.
    pub role_assignments_of_principal: HashMap<String, Vec<ResourceId>>,
    /// Vault → its secrets.
    pub secrets_of_vault: BTreeMap<ResourceId, Vec<ResourceId>>,
    /// Redis cache → its access policy assignments.
    pub access_policy_assignments_of_cache: BTreeMap<ResourceId, Vec<ResourceId>>,
    /// Database → its contained-user declarations.
    pub contained_users_of_database: BTreeMap<ResourceId, Vec<ResourceId>>,
}

/// An estate: typed resources, indexes, the source documents and the load diagnostics.
/// Immutable once built.
#[derive(Clone, Debug, Default)]
pub struct Model {
    pub resources: Resources,
    pub indexes: Indexes,
    pub documents: BTreeMap<ResourceId, Document>,
    pub diagnostics: Vec<LoadDiagnostic>,
}

fn push<K: Ord + Clone>(map: &mut BTreeMap<K, Vec<ResourceId>>, key: &K, value: &ResourceId) {
    map.entry(key.clone()).or_default().push(value.clone());
}

impl Model {
    /// Builds the indexes over `resources`. `documents` and `diagnostics` are kept as given
    /// (diagnostics sorted).
    pub fn new(
        resources: Resources,
        documents: BTreeMap<ResourceId, Document>,
        mut diagnostics: Vec<LoadDiagnostic>,
    ) -> Model {
        let r = &resources;
        let mut ix = Indexes::default();
        for (id, subnet) in &r.subnets {
            push(&mut ix.subnets_of_vnet, &subnet.vnet, id);
        }
        for (id, peering) in &r.peerings {
            push(&mut ix.peerings_of_vnet, &peering.vnet, id);
        }
        for (id, vnet) in &r.virtual_networks {
            for prefix in &vnet.address_space {
                ix.vnets_by_prefix.entry(prefix.trunc()).or_insert_with(|| id.clone());
                ix.vnet_prefix_lengths.push(prefix.prefix_len());
            }
        }
        ix.vnet_prefix_lengths.sort_unstable();
        ix.vnet_prefix_lengths.dedup();
        for (id, nic) in &r.network_interfaces {
            let subnets: BTreeSet<&ResourceId> =
                nic.ip_configurations.iter().filter_map(|c| c.subnet.as_ref()).collect();
            for s in subnets {
                push(&mut ix.subnet_members, s, id);
            }
            for ip in nic.private_ips() {
                ix.nics_by_ip.entry(ip).or_default().push(id.clone());
            }
            if let Some(pe) = &nic.private_endpoint {
                push(&mut ix.nics_of_endpoint, pe, id);
            }
        }
        for (id, pe) in &r.private_endpoints {
            if let Some(s) = &pe.subnet {
                push(&mut ix.subnet_members, s, id);
                if let Some(vnet) = s.parent() {
                    push(&mut ix.endpoints_of_vnet, &vnet, id);
                }
            } else {
                ix.endpoints_without_subnet.push(id.clone());
            }
            for nic in &pe.network_interfaces {
                push(&mut ix.nics_of_endpoint, id, nic);
            }
            for target in pe.connections.iter().filter_map(|c| c.target.as_ref()) {
                push(&mut ix.endpoints_of_target, target, id);
            }
        }
        for (id, b) in &r.backends {
            ix.backends_by_name.entry(b.meta.name.to_ascii_lowercase()).or_default().push(id.clone());
            if let Some(sub) = b.custom_subdomain.as_deref().map(str::to_ascii_lowercase) {
                if sub != b.meta.name.to_ascii_lowercase() {
                    ix.backends_by_name.entry(sub).or_default().push(id.clone());
                }
            }
        }
        for (id, site) in &r.sites {
            ix.sites_by_name.entry(id.name().to_ascii_lowercase()).or_default().push(id.clone());
            if let Some(s) = &site.integration_subnet {
                push(&mut ix.subnet_members, &s.value, id);
            }
            if let Some(plan) = &site.plan {
                push(&mut ix.sites_of_plan, plan, id);
            }
        }
        for (id, link) in &r.virtual_network_links {
            push(&mut ix.links_of_zone, &link.zone, id);
            if let Some(v) = &link.vnet {
                push(&mut ix.links_of_vnet, v, id);
            }
        }
        for (id, zone) in &r.private_dns_zones {
            push(&mut ix.zones_by_name, &zone.zone, id);
        }
        for (id, rs) in &r.record_sets {
            push(&mut ix.records_of_zone, &rs.zone, id);
            ix.records_by_name.entry((rs.fqdn.clone(), rs.record_type)).or_default().push(id.clone());
        }
        for (id, zg) in &r.zone_groups {
            push(&mut ix.zone_groups_of_endpoint, &zg.private_endpoint, id);
        }
        for (id, inbound) in &r.inbound_endpoints {
            for ip in &inbound.addresses {
                ix.resolver_inbound_by_ip.insert(*ip, id.clone());
            }
        }
        for (id, firewall) in &r.azure_firewalls {
            for ip in &firewall.private_ips {
                // Ids are visited in order: the first firewall holding an address keeps it.
                ix.firewall_by_ip.entry(*ip).or_insert_with(|| id.clone());
            }
        }
        for (id, rule) in &r.forwarding_rules {
            push(&mut ix.rules_of_ruleset, &rule.ruleset, id);
        }
        for link in r.ruleset_links.values() {
            if let Some(v) = &link.vnet {
                push(&mut ix.rulesets_of_vnet, v, &link.ruleset);
            }
        }
        for (id, ra) in &r.role_assignments {
            let principal = ra.principal_id.as_deref().map(str::to_ascii_lowercase).unwrap_or_default();
            ix.role_assignments_of_principal.entry(principal).or_default().push(id.clone());
        }
        for (id, secret) in &r.key_vault_secrets {
            push(&mut ix.secrets_of_vault, &secret.vault, id);
        }
        for (id, a) in &r.redis_access_policy_assignments {
            push(&mut ix.access_policy_assignments_of_cache, &a.cache, id);
        }
        for (id, d) in &r.sql_contained_users {
            push(&mut ix.contained_users_of_database, &d.database, id);
        }
        let sort_all = |m: &mut BTreeMap<ResourceId, Vec<ResourceId>>| {
            for v in m.values_mut() {
                v.sort();
                v.dedup();
            }
        };
        for m in [
            &mut ix.subnets_of_vnet,
            &mut ix.peerings_of_vnet,
            &mut ix.subnet_members,
            &mut ix.links_of_zone,
            &mut ix.links_of_vnet,
            &mut ix.records_of_zone,
            &mut ix.nics_of_endpoint,
            &mut ix.zone_groups_of_endpoint,
            &mut ix.endpoints_of_target,
            &mut ix.endpoints_of_vnet,
            &mut ix.rules_of_ruleset,
            &mut ix.rulesets_of_vnet,
            &mut ix.sites_of_plan,
            &mut ix.secrets_of_vault,
            &mut ix.access_policy_assignments_of_cache,
            &mut ix.contained_users_of_database,
        ] {
            sort_all(m);
        }
        for v in ix.zones_by_name.values_mut() {
            v.sort();
        }
        for v in ix.records_by_name.values_mut() {
            v.sort();
        }
        for v in ix.backends_by_name.values_mut().chain(ix.sites_by_name.values_mut()) {
            v.sort();
            v.dedup();
        }
        for v in ix.role_assignments_of_principal.values_mut() {
            v.sort();
        }
        for v in ix.nics_by_ip.values_mut() {
            v.sort();
            v.dedup();
        }
        diagnostics.sort();
        diagnostics.dedup();
        Model { resources, indexes: ix, documents, diagnostics }
    }

    /// The number of resources of every type, modelled or opaque, by ARM type (lower-cased key,
    /// original casing of the first seen for display).
    pub fn counts_by_type(&self) -> BTreeMap<String, usize> {
        let mut counts: BTreeMap<String, usize> = BTreeMap::new();
        for id in self.documents.keys() {
            *counts.entry(canonical_type(&id.resource_type())).or_default() += 1;
        }
        counts
    }

    /// The subnet (and so VNet) an IP address belongs to, if any subnet of the estate contains it.
    pub fn subnet_containing(&self, ip: IpAddr) -> Option<&Subnet> {
        self.resources.subnets.values().find(|s| s.contains(ip))
    }

    /// The VNet whose address space contains `ip`.
    pub fn vnet_containing(&self, ip: IpAddr) -> Option<&VirtualNetwork> {
        // The first VNet in id order whose address space holds `ip`: the least id among the VNets
        // owning a prefix of each length that holds it (one hash probe per length, not a scan).
        let ix = &self.indexes;
        ix.vnet_prefix_lengths
            .iter()
            .filter_map(|len| ipnet::IpNet::new(ip, *len).ok())
            .filter_map(|net| ix.vnets_by_prefix.get(&net.trunc()))
            .min()
            .and_then(|id| self.resources.virtual_networks.get(id))
    }

    /// The private endpoint that owns `ip` through one of its NICs.
    pub fn endpoint_owning_ip(&self, ip: IpAddr) -> Option<&PrivateEndpoint> {
        let nics = self.indexes.nics_by_ip.get(&ip)?;
        nics.iter()
            .filter_map(|n| self.resources.network_interfaces.get(n))
            .find_map(|nic| nic.private_endpoint.as_ref().and_then(|pe| self.resources.private_endpoints.get(pe)))
    }

    /// The NICs of a private endpoint.
    pub fn endpoint_nics(&self, pe: &ResourceId) -> impl Iterator<Item = &NetworkInterface> {
        self.indexes
            .nics_of_endpoint
            .get(pe)
            .into_iter()
            .flatten()
            .filter_map(|id| self.resources.network_interfaces.get(id))
    }

    /// Whether `id` names any resource of the estate (typed or opaque).
    pub fn contains(&self, id: &ResourceId) -> bool {
        self.documents.contains_key(id)
    }

    /// Looks a resource up by name among ids of a given type: returns every match (sorted).
    pub fn find_by_name<'a>(&'a self, ids: impl Iterator<Item = &'a ResourceId>, name: &str) -> Vec<&'a ResourceId> {
        ids.filter(|id| id.name().eq_ignore_ascii_case(name)).collect()
    }
}

/// ARM types as Azure spells them in its documentation, so output does not depend on the
/// casing of whichever document came first.
pub fn canonical_type(ty: &str) -> String {
    arm_type::KNOWN.iter().find(|k| k.eq_ignore_ascii_case(ty)).map(|k| k.to_string()).unwrap_or_else(|| ty.to_string())
}
