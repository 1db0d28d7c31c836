//! Cross-resource checks the loader makes: references that leave the estate, subnets outside
//! their VNet. These are input facts, not diagnoses of the network (those are the rules' job).

use privlink_model::*;

fn dangling(
    model_docs: &std::collections::BTreeMap<ResourceId, Document>,
    diags: &mut Vec<LoadDiagnostic>,
    from: &Meta,
    what: &str,
    target: &ResourceId,
) {
    if !model_docs.contains_key(target) {
        diags.push(
            LoadDiagnostic::new(
                Severity::Info,
                "LOAD009",
                &from.origin,
                format!("{what} {target} is not in the estate; privlink treats it as unknown"),
            )
            .about(&from.id),
        );
    }
}

pub fn check(
    resources: &Resources,
    docs: &std::collections::BTreeMap<ResourceId, Document>,
    diags: &mut Vec<LoadDiagnostic>,
) {
    for subnet in resources.subnets.values() {
        if let Some(vnet) = resources.virtual_networks.get(&subnet.vnet) {
            for p in &subnet.prefixes {
                if !vnet.address_space.is_empty() && !vnet.address_space.iter().any(|space| space.contains(p)) {
                    let spaces: Vec<String> = vnet.address_space.iter().map(|s| s.to_string()).collect();
                    diags.push(
                        LoadDiagnostic::new(
                            Severity::Error,
                            "LOAD006",
                            &subnet.meta.origin.at("/properties/addressPrefix"),
                            format!(
                                "subnet prefix {p} lies outside the address space of VNet {} ({})",
                                vnet.meta.name,
                                spaces.join(", ")
                            ),
                        )
                        .about(&subnet.meta.id),
                    );
                }
            }
        }
        for (what, r) in [("network security group", &subnet.nsg), ("route table", &subnet.route_table)] {
            if let Some(r) = r {
                dangling(docs, diags, &subnet.meta, what, r);
            }
        }
    }
    for pe in resources.private_endpoints.values() {
        if let Some(s) = &pe.subnet {
            dangling(docs, diags, &pe.meta, "subnet", s);
        }
        for c in &pe.connections {
            if let Some(t) = &c.target {
                dangling(docs, diags, &pe.meta, "target resource", t);
            }
        }
    }
    for nic in resources.network_interfaces.values() {
        for c in &nic.ip_configurations {
            if let Some(s) = &c.subnet {
                dangling(docs, diags, &nic.meta, "subnet", s);
            }
        }
    }
    for link in resources.virtual_network_links.values() {
        if let Some(v) = &link.vnet {
            dangling(docs, diags, &link.meta, "virtual network", v);
        }
        if !docs.contains_key(&link.zone) {
            dangling(docs, diags, &link.meta, "private DNS zone", &link.zone);
        }
    }
    for zg in resources.zone_groups.values() {
        dangling(docs, diags, &zg.meta, "private endpoint", &zg.private_endpoint);
        for c in &zg.configs {
            if let Some(z) = &c.zone {
                dangling(docs, diags, &zg.meta, "private DNS zone", z);
            }
        }
    }
    for site in resources.sites.values() {
        if let Some(p) = &site.plan {
            dangling(docs, diags, &site.meta, "App Service plan", p);
        }
        if let Some(s) = &site.integration_subnet {
            dangling(docs, diags, &site.meta, "integration subnet", &s.value);
        }
    }
    for p in resources.peerings.values() {
        if let Some(r) = &p.remote_vnet {
            dangling(docs, diags, &p.meta, "remote virtual network", r);
        }
    }
    for rs in resources.record_sets.values() {
        dangling(docs, diags, &rs.meta, "private DNS zone", &rs.zone);
    }
    for fw in resources.azure_firewalls.values() {
        if let Some(p) = &fw.policy {
            dangling(docs, diags, &fw.meta, "firewall policy", p);
        }
        for s in &fw.subnets {
            dangling(docs, diags, &fw.meta, "subnet", s);
        }
    }
    for policy in resources.firewall_policies.values() {
        if let Some(b) = &policy.base_policy {
            dangling(docs, diags, &policy.meta, "base firewall policy", b);
        }
    }
}
