//! `estate.json`: the documents as Azure's GET APIs return them (the fields privlink reads, ids of
//! inline children, connection states and the NICs and records Azure creates).

use crate::facts::{
    backend_id, fqdn, has_zone_group, integration_prefix, nsg_rules, pe_connection, pe_name, record_ip, settings,
    zone_config_name,
};
use crate::landing_zone::{
    id, ip, resolver_ip, site_name, spoke_base, vnet_name, zone_id, Backend, LandingZone, Mis, Svc, LOC, SERVICES,
    TENANT,
};
use serde_json::{json, Value};

pub(crate) fn doc(ty: &str, path: &str, name: &str, location: Option<&str>, properties: Value) -> Value {
    let mut d = json!({"id": id(path), "name": name, "type": ty});
    if let Some(l) = location {
        d["location"] = json!(l);
    }
    d["properties"] = properties;
    d
}

/// The estate as ARM documents (GET shapes).
pub fn documents(e: &LandingZone) -> Vec<Value> {
    let mut out = Vec::new();
    let hub = id("Microsoft.Network/virtualNetworks/vnet-hub");
    let inbound_subnet = format!("{hub}/subnets/snet-dns-inbound");
    out.push(doc(
        "Microsoft.Network/virtualNetworks",
        "Microsoft.Network/virtualNetworks/vnet-hub",
        "vnet-hub",
        Some(LOC),
        json!({"provisioningState": "Succeeded", "addressSpace": {"addressPrefixes": ["10.0.0.0/20"]}}),
    ));
    out.push(doc(
        "Microsoft.Network/virtualNetworks/subnets",
        "Microsoft.Network/virtualNetworks/vnet-hub/subnets/snet-dns-inbound",
        "snet-dns-inbound",
        None,
        json!({"addressPrefix": "10.0.0.0/28", "delegations": [{"name": "dns-resolver", "properties": {"serviceName": "Microsoft.Network/dnsResolvers"}}],
               "privateEndpointNetworkPolicies": "Disabled", "privateLinkServiceNetworkPolicies": "Enabled"}),
    ));
    out.push(doc(
        "Microsoft.Network/dnsResolvers",
        "Microsoft.Network/dnsResolvers/dnspr-hub",
        "dnspr-hub",
        Some(LOC),
        json!({"virtualNetwork": {"id": hub}, "provisioningState": "Succeeded"}),
    ));
    out.push(doc(
        "Microsoft.Network/dnsResolvers/inboundEndpoints",
        "Microsoft.Network/dnsResolvers/dnspr-hub/inboundEndpoints/in-hub",
        "in-hub",
        Some(LOC),
        json!({"ipConfigurations": [{"privateIpAddress": resolver_ip().to_string(), "privateIpAllocationMethod": "Static", "subnet": {"id": inbound_subnet}}]}),
    ));
    for svc in SERVICES {
        let z = svc.zone();
        out.push(doc(
            "Microsoft.Network/privateDnsZones",
            &format!("Microsoft.Network/privateDnsZones/{z}"),
            z,
            Some("global"),
            json!({"provisioningState": "Succeeded"}),
        ));
        out.push(doc(
            "Microsoft.Network/privateDnsZones/virtualNetworkLinks",
            &format!("Microsoft.Network/privateDnsZones/{z}/virtualNetworkLinks/link-vnet-hub"),
            "link-vnet-hub",
            Some("global"),
            json!({"virtualNetwork": {"id": hub}, "registrationEnabled": false, "resolutionPolicy": "Default", "virtualNetworkLinkState": "Completed", "provisioningState": "Succeeded"}),
        ));
    }
    for (k, spoke) in e.spokes.iter().enumerate() {
        let v = vnet_name(k);
        let prefix = format!("{}/20", ip(spoke_base(k), 0));
        let dns: Vec<String> = if spoke.unlinked { vec![] } else { vec![resolver_ip().to_string()] };
        out.push(doc(
            "Microsoft.Network/virtualNetworks",
            &format!("Microsoft.Network/virtualNetworks/{v}"),
            &v,
            Some(LOC),
            json!({"provisioningState": "Succeeded", "addressSpace": {"addressPrefixes": [prefix]}, "dhcpOptions": {"dnsServers": dns}}),
        ));
        out.push(doc(
            "Microsoft.Network/virtualNetworks/subnets",
            &format!("Microsoft.Network/virtualNetworks/{v}/subnets/snet-private-endpoints"),
            "snet-private-endpoints",
            None,
            json!({"addressPrefix": format!("{}/24", ip(spoke_base(k), 0)), "privateEndpointNetworkPolicies": "Disabled", "privateLinkServiceNetworkPolicies": "Enabled"}),
        ));
        let peering = |from: &str, to: &str, to_prefix: &str| {
            doc(
                "Microsoft.Network/virtualNetworks/virtualNetworkPeerings",
                &format!("Microsoft.Network/virtualNetworks/{from}/virtualNetworkPeerings/peer-{from}-to-{to}"),
                &format!("peer-{from}-to-{to}"),
                None,
                json!({"remoteVirtualNetwork": {"id": id(&format!("Microsoft.Network/virtualNetworks/{to}"))},
                       "allowVirtualNetworkAccess": true, "allowForwardedTraffic": true, "allowGatewayTransit": false,
                       "useRemoteGateways": false, "peeringState": "Connected", "peeringSyncLevel": "FullyInSync",
                       "remoteAddressSpace": {"addressPrefixes": [to_prefix]}}),
            )
        };
        out.push(peering(&v, "vnet-hub", "10.0.0.0/20"));
        out.push(peering("vnet-hub", &v, &prefix));
    }
    for a in &e.apps {
        let v = vnet_name(a.spoke);
        let s = site_name(a.idx);
        let plan = format!("plan-lz-{:06}", a.idx);
        let snet = format!("snet-{s}");
        let nsg = format!("nsg-{s}");
        let rt = format!("rt-{s}");
        let (sku, tier) = if a.premium { ("P1v3", "PremiumV3") } else { ("S1", "Standard") };
        let mut p = doc(
            "Microsoft.Web/serverfarms",
            &format!("Microsoft.Web/serverfarms/{plan}"),
            &plan,
            Some(LOC),
            json!({"reserved": true, "provisioningState": "Succeeded"}),
        );
        p["kind"] = json!("linux");
        p["sku"] = json!({"name": sku, "tier": tier, "size": sku, "capacity": 1});
        out.push(p);
        let app_settings: Vec<Value> = settings(a).into_iter().map(|(n, v)| json!({"name": n, "value": v})).collect();
        let mut site = doc(
            "Microsoft.Web/sites",
            &format!("Microsoft.Web/sites/{s}"),
            &s,
            Some(LOC),
            json!({"serverFarmId": id(&format!("Microsoft.Web/serverfarms/{plan}")), "reserved": true, "httpsOnly": true,
                   "publicNetworkAccess": "Enabled", "defaultHostName": format!("{s}.azurewebsites.net"),
                   "virtualNetworkSubnetId": id(&format!("Microsoft.Network/virtualNetworks/{v}/subnets/{snet}")),
                   "vnetRouteAllEnabled": a.route_all, "outboundVnetRouting": {"applicationTraffic": a.route_all},
                   "keyVaultReferenceIdentity": "SystemAssigned",
                   "siteConfig": {"linuxFxVersion": "PYTHON|3.12", "appSettings": app_settings}}),
        );
        site["kind"] = json!("app,linux");
        // As an export shows it: the principal Entra gave the identity.
        site["identity"] = json!({"type": "SystemAssigned", "tenantId": TENANT,
            "principalId": format!("{:08x}-0000-4000-8000-{:012x}", 0x5eed_0000_u32 + a.idx as u32, a.idx)});
        out.push(site);
        out.push(doc(
            "Microsoft.Network/virtualNetworks/subnets",
            &format!("Microsoft.Network/virtualNetworks/{v}/subnets/{snet}"),
            &snet,
            None,
            json!({"addressPrefix": integration_prefix(a),
                   "networkSecurityGroup": {"id": id(&format!("Microsoft.Network/networkSecurityGroups/{nsg}"))},
                   "routeTable": {"id": id(&format!("Microsoft.Network/routeTables/{rt}"))},
                   "delegations": [{"name": "delegation", "properties": {"serviceName": "Microsoft.Web/serverFarms"}}],
                   "privateEndpointNetworkPolicies": "Disabled", "privateLinkServiceNetworkPolicies": "Enabled"}),
        ));
        let nsg_path = format!("Microsoft.Network/networkSecurityGroups/{nsg}");
        let rules: Vec<Value> = nsg_rules(a)
            .into_iter()
            .map(|mut r| {
                let n = r["name"].as_str().unwrap().to_string();
                r["id"] = json!(id(&format!("{nsg_path}/securityRules/{n}")));
                r["type"] = json!("Microsoft.Network/networkSecurityGroups/securityRules");
                r
            })
            .collect();
        out.push(doc(
            "Microsoft.Network/networkSecurityGroups",
            &nsg_path,
            &nsg,
            Some(LOC),
            json!({"securityRules": rules}),
        ));
        out.push(doc(
            "Microsoft.Network/routeTables",
            &format!("Microsoft.Network/routeTables/{rt}"),
            &rt,
            Some(LOC),
            json!({"disableBgpRoutePropagation": false, "routes": [{"name": "to-onprem",
                   "id": id(&format!("Microsoft.Network/routeTables/{rt}/routes/to-onprem")),
                   "properties": {"addressPrefix": "192.168.0.0/16", "nextHopType": "VirtualNetworkGateway"}}]}),
        ));
        let pe_subnet = id(&format!("Microsoft.Network/virtualNetworks/{v}/subnets/snet-private-endpoints"));
        for b in &a.backends {
            let pe = pe_name(b);
            let pe_id = id(&format!("Microsoft.Network/privateEndpoints/{pe}"));
            let nic = format!("{pe}-nic");
            let nic_id = id(&format!("Microsoft.Network/networkInterfaces/{nic}"));
            let status = if b.mis == Some(Mis::Pending) { "Pending" } else { "Approved" };
            let pec = json!([{"id": format!("{}/privateEndpointConnections/{pe}-conn", backend_id(b)), "name": format!("{pe}-conn"),
                "properties": {"privateEndpoint": {"id": pe_id}, "groupIds": [b.svc.group()],
                    "privateLinkServiceConnectionState": {"status": status, "description": "", "actionsRequired": "None"}}}]);
            out.push(backend_doc(b, Some(pec)));
            let (auto, manual) = if b.mis == Some(Mis::Pending) {
                (json!([]), json!([pe_connection(b, true)]))
            } else {
                (json!([pe_connection(b, true)]), json!([]))
            };
            out.push(doc(
                "Microsoft.Network/privateEndpoints",
                &format!("Microsoft.Network/privateEndpoints/{pe}"),
                &pe,
                Some(LOC),
                json!({"provisioningState": "Succeeded", "subnet": {"id": pe_subnet}, "privateLinkServiceConnections": auto,
                       "manualPrivateLinkServiceConnections": manual, "customNetworkInterfaceName": nic,
                       "networkInterfaces": [{"id": nic_id}], "ipConfigurations": []}),
            ));
            out.push(nic_doc(b, &nic, &pe_id, &pe_subnet));
            if has_zone_group(b) {
                out.push(doc(
                "Microsoft.Network/privateEndpoints/privateDnsZoneGroups",
                &format!("Microsoft.Network/privateEndpoints/{pe}/privateDnsZoneGroups/default"),
                "default",
                None,
                json!({"provisioningState": "Succeeded", "privateDnsZoneConfigs": [{"name": zone_config_name(b.svc.zone()),
                    "properties": {"privateDnsZoneId": zone_id(b.svc.zone()), "recordSets": [{"recordType": "A",
                        "recordSetName": b.name, "fqdn": format!("{}.{}", b.name, b.svc.zone()), "ttl": 10,
                        "ipAddresses": [b.ip.to_string()]}]}}]}),
            ));
            }
            if b.mis != Some(Mis::MissingRecord) {
                out.push(doc(
                    "Microsoft.Network/privateDnsZones/A",
                    &format!("Microsoft.Network/privateDnsZones/{}/A/{}", b.svc.zone(), b.name),
                    &b.name,
                    None,
                    json!({"ttl": 10, "fqdn": format!("{}.{}.", b.name, b.svc.zone()), "isAutoRegistered": false,
                           "aRecords": [{"ipv4Address": record_ip(b, a.spoke).to_string()}]}),
                ));
            }
        }
    }
    out
}

/// A backend's document; `pec` are its `privateEndpointConnections` (Azure writes them; a template
/// does not).
pub(crate) fn backend_doc(b: &Backend, pec: Option<Value>) -> Value {
    let n = &b.name;
    let f = fqdn(b);
    let mut props = match b.svc {
        // The landing zone's DBA group is each server's Microsoft Entra admin: its apps sign in with
        // their managed identities (a server without one would be IAM505).
        Svc::Sql => json!({"version": "12.0", "fullyQualifiedDomainName": f, "publicNetworkAccess": "Disabled",
            "minimalTlsVersion": "1.2", "administrators": {"administratorType": "ActiveDirectory", "principalType": "Group",
            "login": "sql-admins-lz", "sid": "22222222-3333-4444-5555-666666666666", "tenantId": TENANT,
            "azureADOnlyAuthentication": false}}),
        Svc::Kv => {
            json!({"tenantId": TENANT, "sku": {"family": "A", "name": "standard"}, "enableRbacAuthorization": true,
            "vaultUri": format!("https://{f}/"), "publicNetworkAccess": "Disabled",
            "networkAcls": {"bypass": "None", "defaultAction": "Deny", "ipRules": [], "virtualNetworkRules": []}})
        }
        Svc::Redis => json!({"sku": {"name": "Standard", "family": "C", "capacity": 1}, "enableNonSslPort": false,
            "minimumTlsVersion": "1.2", "publicNetworkAccess": "Disabled", "hostName": f, "port": 6379, "sslPort": 6380}),
        Svc::Blob => {
            json!({"publicNetworkAccess": "Disabled", "allowBlobPublicAccess": false, "minimumTlsVersion": "TLS1_2",
            "supportsHttpsTrafficOnly": true, "networkAcls": {"bypass": "None", "defaultAction": "Deny", "ipRules": [], "virtualNetworkRules": []},
            "primaryEndpoints": {"blob": format!("https://{f}/")}})
        }
        Svc::Oai => {
            json!({"customSubDomainName": n, "endpoint": format!("https://{f}/"), "publicNetworkAccess": "Disabled",
            "networkAcls": {"defaultAction": "Deny", "ipRules": [], "virtualNetworkRules": []}})
        }
    };
    if let Some(pec) = pec {
        props["privateEndpointConnections"] = pec;
    }
    let mut d = doc(b.svc.rtype(), &format!("{}/{n}", b.svc.rtype()), n, Some(LOC), props);
    match b.svc {
        Svc::Sql => d["kind"] = json!("v12.0"),
        Svc::Blob => {
            d["kind"] = json!("StorageV2");
            d["sku"] = json!({"name": "Standard_LRS", "tier": "Standard"});
        }
        Svc::Oai => {
            d["kind"] = json!("OpenAI");
            d["sku"] = json!({"name": "S0"});
        }
        _ => {}
    }
    d
}

pub(crate) fn nic_doc(b: &Backend, nic: &str, pe_id: &str, pe_subnet: &str) -> Value {
    let member = if b.svc == Svc::Sql || b.svc == Svc::Redis { b.svc.group() } else { "default" };
    doc(
        "Microsoft.Network/networkInterfaces",
        &format!("Microsoft.Network/networkInterfaces/{nic}"),
        nic,
        Some(LOC),
        json!({"ipConfigurations": [{"name": "privateEndpointIpConfig", "properties": {"privateIPAddress": b.ip.to_string(),
            "privateIPAllocationMethod": "Dynamic", "subnet": {"id": pe_subnet}, "primary": true,
            "privateLinkConnectionProperties": {"groupId": b.svc.group(), "requiredMemberName": member, "fqdns": [fqdn(b)]}}}],
            "privateEndpoint": {"id": pe_id}}),
    )
}
