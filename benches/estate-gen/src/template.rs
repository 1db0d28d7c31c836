//! `template.json`: the same estate as a deployment template with copy loops over variables.

use serde_json::{json, Value};
use std::collections::BTreeMap;
use std::net::Ipv4Addr;

use crate::documents::backend_doc;
use crate::facts::{
    fqdn, has_zone_group, integration_prefix, nsg_rules, pe_connection, pe_name, record_ip, settings, zone_config_name,
};
use crate::landing_zone::{
    ip, resolver_ip, site_name, spoke_base, vnet_name, App, Backend, LandingZone, Mis, Svc, LOC, SERVICES,
};

pub(crate) fn copy_resource(name: &str, ty: &str, api: &str, item_name: &str, mut body: Value) -> Value {
    let mut r = json!({
        "type": ty,
        "apiVersion": api,
        "name": item_name,
        "copy": {"name": name, "count": format!("[length(variables('{name}'))]")},
    });
    for (k, v) in body.as_object_mut().unwrap().iter_mut() {
        r[k] = v.take();
    }
    r
}

/// `[variables('K')[copyIndex()].field]`
pub(crate) fn it(var: &str, field: &str) -> String {
    format!("[variables('{var}')[copyIndex()].{field}]")
}

/// Azure Resource Manager's limit on the iterations of one copy loop.
pub const ARM_COPY_LIMIT: usize = 800;

/// The estate as a deployment template with copy loops, none longer than ARM allows.
pub fn template(e: &LandingZone) -> Value {
    template_with_copy_limit(e, ARM_COPY_LIMIT)
}

/// As [`template`], with every copy loop over a longer variable array split into loops of at most
/// `limit` iterations: loop `k` counts its share and reads `copyIndex(k * limit)`.
pub fn template_with_copy_limit(e: &LandingZone, limit: usize) -> Value {
    let mut t = unchunked_template(e);
    let lengths: BTreeMap<String, usize> = t["variables"]
        .as_object()
        .unwrap()
        .iter()
        .filter_map(|(k, v)| Some((k.clone(), v.as_array()?.len())))
        .collect();
    let resources = std::mem::take(t["resources"].as_array_mut().unwrap());
    let mut out = Vec::new();
    for r in resources {
        let Some(count) = r.pointer("/copy/count").and_then(Value::as_str) else {
            out.push(r);
            continue;
        };
        let var = count.trim_start_matches("[length(variables('").trim_end_matches("'))]");
        let len = lengths.get(var).copied().unwrap_or(0);
        if len <= limit {
            out.push(r);
            continue;
        }
        let text = serde_json::to_string(&r).unwrap();
        let loop_name = r["copy"]["name"].as_str().unwrap().to_string();
        for (k, offset) in (0..len).step_by(limit).enumerate() {
            let mut chunk: Value =
                serde_json::from_str(&text.replace("copyIndex()", &format!("copyIndex({offset})"))).unwrap();
            chunk["copy"] = json!({"name": format!("{loop_name}{k}"), "count": (len - offset).min(limit)});
            out.push(chunk);
        }
    }
    t["resources"] = Value::Array(out);
    t
}

pub(crate) fn unchunked_template(e: &LandingZone) -> Value {
    let mut vars = serde_json::Map::new();
    let mut resources: Vec<Value> = Vec::new();
    let zones: Vec<&str> = SERVICES.iter().map(|s| s.zone()).collect();
    vars.insert("zones".into(), json!(zones));
    vars.insert("resolverIp".into(), json!(resolver_ip().to_string()));
    resources.push(json!({"type": "Microsoft.Network/virtualNetworks", "apiVersion": "2023-09-01", "name": "vnet-hub", "location": LOC,
        "properties": {"addressSpace": {"addressPrefixes": ["10.0.0.0/20"]}}}));
    resources.push(json!({"type": "Microsoft.Network/virtualNetworks/subnets", "apiVersion": "2023-09-01", "name": "vnet-hub/snet-dns-inbound",
        "dependsOn": ["[resourceId('Microsoft.Network/virtualNetworks', 'vnet-hub')]"],
        "properties": {"addressPrefix": "10.0.0.0/28", "delegations": [{"name": "dns-resolver", "properties": {"serviceName": "Microsoft.Network/dnsResolvers"}}],
            "privateEndpointNetworkPolicies": "Disabled", "privateLinkServiceNetworkPolicies": "Enabled"}}));
    resources.push(json!({"type": "Microsoft.Network/dnsResolvers", "apiVersion": "2022-07-01", "name": "dnspr-hub", "location": LOC,
        "properties": {"virtualNetwork": {"id": "[resourceId('Microsoft.Network/virtualNetworks', 'vnet-hub')]"}}}));
    resources.push(json!({"type": "Microsoft.Network/dnsResolvers/inboundEndpoints", "apiVersion": "2022-07-01", "name": "dnspr-hub/in-hub", "location": LOC,
        "dependsOn": ["[resourceId('Microsoft.Network/dnsResolvers', 'dnspr-hub')]"],
        "properties": {"ipConfigurations": [{"privateIpAddress": "[variables('resolverIp')]", "privateIpAllocationMethod": "Static",
            "subnet": {"id": "[resourceId('Microsoft.Network/virtualNetworks/subnets', 'vnet-hub', 'snet-dns-inbound')]"}}]}}));
    resources.push(copy_resource(
        "zones",
        "Microsoft.Network/privateDnsZones",
        "2020-06-01",
        "[variables('zones')[copyIndex()]]",
        json!({"location": "global", "properties": {}}),
    ));
    resources.push(copy_resource("zones", "Microsoft.Network/privateDnsZones/virtualNetworkLinks", "2020-06-01",
        "[concat(variables('zones')[copyIndex()], '/link-vnet-hub')]",
        json!({"location": "global", "dependsOn": ["[resourceId('Microsoft.Network/privateDnsZones', variables('zones')[copyIndex()])]"],
            "properties": {"virtualNetwork": {"id": "[resourceId('Microsoft.Network/virtualNetworks', 'vnet-hub')]"}, "registrationEnabled": false, "resolutionPolicy": "Default"}})));
    // The copy name must be unique per resource: links reuse the zones array through its own copy name.
    resources.last_mut().unwrap()["copy"] = json!({"name": "zoneLinks", "count": "[length(variables('zones'))]"});

    let spokes: Vec<Value> = e
        .spokes
        .iter()
        .enumerate()
        .map(|(k, s)| {
            json!({"name": vnet_name(k), "prefix": format!("{}/20", ip(spoke_base(k), 0)), "pePrefix": format!("{}/24", ip(spoke_base(k), 0)),
                "dnsServers": if s.unlinked { json!([]) } else { json!([resolver_ip().to_string()]) }})
        })
        .collect();
    vars.insert("spokes".into(), json!(spokes));
    resources.push(copy_resource("spokes", "Microsoft.Network/virtualNetworks", "2023-09-01", &it("spokes", "name"),
        json!({"location": LOC, "properties": {"addressSpace": {"addressPrefixes": [it("spokes", "prefix")]}, "dhcpOptions": {"dnsServers": it("spokes", "dnsServers")}}})));
    let mut r = copy_resource(
        "spokes",
        "Microsoft.Network/virtualNetworks/subnets",
        "2023-09-01",
        &format!("[concat({}, '/snet-private-endpoints')]", &it("spokes", "name")[1..it("spokes", "name").len() - 1]),
        json!({"dependsOn": [format!("[resourceId('Microsoft.Network/virtualNetworks', variables('spokes')[copyIndex()].name)]")],
            "properties": {"addressPrefix": it("spokes", "pePrefix"), "privateEndpointNetworkPolicies": "Disabled", "privateLinkServiceNetworkPolicies": "Enabled"}}),
    );
    r["copy"]["name"] = json!("spokePeSubnets");
    resources.push(r);
    let peering_props = |remote: &str, prefix: &str| {
        json!({"remoteVirtualNetwork": {"id": format!("[resourceId('Microsoft.Network/virtualNetworks', {remote})]")},
            "allowVirtualNetworkAccess": true, "allowForwardedTraffic": true, "allowGatewayTransit": false, "useRemoteGateways": false,
            "remoteAddressSpace": {"addressPrefixes": [prefix]}})
    };
    let mut r = copy_resource("spokes", "Microsoft.Network/virtualNetworks/virtualNetworkPeerings", "2023-09-01",
        "[concat(variables('spokes')[copyIndex()].name, '/peer-', variables('spokes')[copyIndex()].name, '-to-vnet-hub')]",
        json!({"properties": peering_props("'vnet-hub'", "10.0.0.0/20")}));
    r["copy"]["name"] = json!("spokeToHub");
    resources.push(r);
    let mut r = copy_resource(
        "spokes",
        "Microsoft.Network/virtualNetworks/virtualNetworkPeerings",
        "2023-09-01",
        "[concat('vnet-hub/peer-vnet-hub-to-', variables('spokes')[copyIndex()].name)]",
        json!({"properties": peering_props("variables('spokes')[copyIndex()].name", &it("spokes", "prefix"))}),
    );
    r["copy"]["name"] = json!("hubToSpoke");
    resources.push(r);

    // Apps: plan, site, integration subnet, NSG, route table.
    let apps: Vec<Value> = e
        .apps
        .iter()
        .map(|a| {
            let s = site_name(a.idx);
            let (sku, tier) = if a.premium { ("P1v3", "PremiumV3") } else { ("S1", "Standard") };
            json!({"site": s, "plan": format!("plan-lz-{:06}", a.idx), "sku": sku, "tier": tier, "vnet": vnet_name(a.spoke),
                "subnet": format!("snet-{s}"), "prefix": integration_prefix(a), "nsg": format!("nsg-{s}"), "rt": format!("rt-{s}"),
                "routeAll": a.route_all, "nsgRules": nsg_rules(a),
                "appSettings": settings(a).into_iter().map(|(n, v)| json!({"name": n, "value": v})).collect::<Vec<_>>()})
        })
        .collect();
    vars.insert("apps".into(), json!(apps));
    let app = |f: &str| it("apps", f);
    let mut r = copy_resource(
        "apps",
        "Microsoft.Web/serverfarms",
        "2023-12-01",
        &app("plan"),
        json!({"location": LOC, "kind": "linux", "sku": {"name": app("sku"), "tier": app("tier"), "size": app("sku"), "capacity": 1}, "properties": {"reserved": true}}),
    );
    r["copy"]["name"] = json!("plans");
    resources.push(r);
    let mut r = copy_resource(
        "apps",
        "Microsoft.Network/networkSecurityGroups",
        "2023-09-01",
        &app("nsg"),
        json!({"location": LOC, "properties": {"securityRules": app("nsgRules")}}),
    );
    r["copy"]["name"] = json!("nsgs");
    resources.push(r);
    let mut r = copy_resource(
        "apps",
        "Microsoft.Network/routeTables",
        "2023-09-01",
        &app("rt"),
        json!({"location": LOC, "properties": {"disableBgpRoutePropagation": false,
            "routes": [{"name": "to-onprem", "properties": {"addressPrefix": "192.168.0.0/16", "nextHopType": "VirtualNetworkGateway"}}]}}),
    );
    r["copy"]["name"] = json!("routeTables");
    resources.push(r);
    let mut r = copy_resource(
        "apps",
        "Microsoft.Network/virtualNetworks/subnets",
        "2023-09-01",
        "[concat(variables('apps')[copyIndex()].vnet, '/', variables('apps')[copyIndex()].subnet)]",
        json!({"dependsOn": ["[resourceId('Microsoft.Network/networkSecurityGroups', variables('apps')[copyIndex()].nsg)]",
                "[resourceId('Microsoft.Network/routeTables', variables('apps')[copyIndex()].rt)]"],
            "properties": {"addressPrefix": app("prefix"),
                "networkSecurityGroup": {"id": "[resourceId('Microsoft.Network/networkSecurityGroups', variables('apps')[copyIndex()].nsg)]"},
                "routeTable": {"id": "[resourceId('Microsoft.Network/routeTables', variables('apps')[copyIndex()].rt)]"},
                "delegations": [{"name": "delegation", "properties": {"serviceName": "Microsoft.Web/serverFarms"}}],
                "privateEndpointNetworkPolicies": "Disabled", "privateLinkServiceNetworkPolicies": "Enabled"}}),
    );
    r["copy"] =
        json!({"name": "integrationSubnets", "count": "[length(variables('apps'))]", "mode": "serial", "batchSize": 1});
    resources.push(r);
    let mut r = copy_resource(
        "apps",
        "Microsoft.Web/sites",
        "2023-12-01",
        &app("site"),
        json!({"location": LOC, "kind": "app,linux", "identity": {"type": "SystemAssigned"},
            "dependsOn": ["[resourceId('Microsoft.Web/serverfarms', variables('apps')[copyIndex()].plan)]"],
            "properties": {"serverFarmId": "[resourceId('Microsoft.Web/serverfarms', variables('apps')[copyIndex()].plan)]",
                "reserved": true, "httpsOnly": true, "publicNetworkAccess": "Enabled",
                "virtualNetworkSubnetId": "[resourceId('Microsoft.Network/virtualNetworks/subnets', variables('apps')[copyIndex()].vnet, variables('apps')[copyIndex()].subnet)]",
                "vnetRouteAllEnabled": app("routeAll"), "outboundVnetRouting": {"applicationTraffic": app("routeAll")},
                "keyVaultReferenceIdentity": "SystemAssigned",
                "siteConfig": {"linuxFxVersion": "PYTHON|3.12", "appSettings": app("appSettings")}}}),
    );
    r["copy"]["name"] = json!("sites");
    resources.push(r);

    // Backends, one copy loop per service; endpoints, NICs, zone groups and records.
    let all: Vec<(&App, &Backend)> = e.apps.iter().flat_map(|a| a.backends.iter().map(move |b| (a, b))).collect();
    for svc in SERVICES {
        let key = format!("backends_{}", svc.key());
        let items: Vec<Value> =
            all.iter().filter(|(_, b)| b.svc == svc).map(|(_, b)| json!({"name": b.name})).collect();
        if items.is_empty() {
            continue;
        }
        vars.insert(key.clone(), json!(items));
        let probe = Backend { svc, name: "NAME".into(), ip: Ipv4Addr::UNSPECIFIED, mis: None };
        let d = backend_doc(&probe, None);
        // The document with its name made an expression.
        let text = serde_json::to_string(&d["properties"])
            .unwrap()
            .replace("NAME", "', variables('KEY')[copyIndex()].name, '");
        let props: Value = serde_json::from_str(&text).unwrap();
        let props = exprify(props, &key);
        let mut body = json!({"location": LOC, "properties": props});
        for extra in ["kind", "sku"] {
            if let Some(v) = d.get(extra) {
                body[extra] = v.clone();
            }
        }
        resources.push(copy_resource(&key, svc.rtype(), svc.api(), &it(&key, "name"), body));
    }
    let pes: Vec<Value> = all
        .iter()
        .map(|(a, b)| {
            let conn = pe_connection(b, false);
            let (auto, manual) =
                if b.mis == Some(Mis::Pending) { (json!([]), json!([conn])) } else { (json!([conn]), json!([])) };
            json!({"name": pe_name(b), "vnet": vnet_name(a.spoke), "auto": auto, "manual": manual, "ip": b.ip.to_string(),
                "group": b.svc.group(), "member": if b.svc == Svc::Sql || b.svc == Svc::Redis { b.svc.group() } else { "default" },
                "fqdn": fqdn(b), "zone": b.svc.zone(), "zoneConfig": zone_config_name(b.svc.zone())})
        })
        .collect();
    vars.insert("endpoints".into(), json!(pes));
    let pe = |f: &str| it("endpoints", f);
    let pe_subnet = "[resourceId('Microsoft.Network/virtualNetworks/subnets', variables('endpoints')[copyIndex()].vnet, 'snet-private-endpoints')]";
    resources.push(copy_resource("endpoints", "Microsoft.Network/privateEndpoints", "2023-09-01", &pe("name"),
        json!({"location": LOC, "properties": {"subnet": {"id": pe_subnet}, "privateLinkServiceConnections": pe("auto"),
            "manualPrivateLinkServiceConnections": pe("manual"), "customNetworkInterfaceName": "[concat(variables('endpoints')[copyIndex()].name, '-nic')]"}})));
    // What Azure creates at deployment: the endpoint's NIC. privlink's template evaluator does not
    // model deploy-time behaviour yet, so the template states it.
    let mut r = copy_resource(
        "endpoints",
        "Microsoft.Network/networkInterfaces",
        "2023-09-01",
        "[concat(variables('endpoints')[copyIndex()].name, '-nic')]",
        json!({"location": LOC, "properties": {"ipConfigurations": [{"name": "privateEndpointIpConfig", "properties": {"privateIPAddress": pe("ip"),
            "privateIPAllocationMethod": "Dynamic", "subnet": {"id": pe_subnet}, "primary": true,
            "privateLinkConnectionProperties": {"groupId": pe("group"), "requiredMemberName": pe("member"), "fqdns": [pe("fqdn")]}}}],
            "privateEndpoint": {"id": "[resourceId('Microsoft.Network/privateEndpoints', variables('endpoints')[copyIndex()].name)]"}}}),
    );
    r["copy"]["name"] = json!("endpointNics");
    resources.push(r);
    // Endpoints whose record drifted (missing or stale) have no zone group: a zone group would
    // write the record at deployment and heal the drift (as Azure does), so the drift exists only
    // where the record is managed by hand.
    let zone_groups: Vec<Value> = all
        .iter()
        .filter(|(_, b)| has_zone_group(b))
        .map(|(_, b)| json!({"name": pe_name(b), "zone": b.svc.zone(), "zoneConfig": zone_config_name(b.svc.zone())}))
        .collect();
    vars.insert("zoneGroups".into(), json!(zone_groups));
    let zg = |f: &str| it("zoneGroups", f);
    resources.push(copy_resource(
        "zoneGroups",
        "Microsoft.Network/privateEndpoints/privateDnsZoneGroups",
        "2023-09-01",
        "[concat(variables('zoneGroups')[copyIndex()].name, '/default')]",
        json!({"dependsOn": ["[resourceId('Microsoft.Network/privateEndpoints', variables('zoneGroups')[copyIndex()].name)]"],
            "properties": {"privateDnsZoneConfigs": [{"name": zg("zoneConfig"),
                "properties": {"privateDnsZoneId": "[resourceId('Microsoft.Network/privateDnsZones', variables('zoneGroups')[copyIndex()].zone)]"}}]}}),
    ));
    // The A records: those the zone groups write (stated with the same values), and the hand-managed
    // ones of drifted endpoints as they are: missing or stale.
    let records: Vec<Value> = all
        .iter()
        .filter(|(_, b)| b.mis != Some(Mis::MissingRecord))
        .map(|(a, b)| json!({"zone": b.svc.zone(), "name": b.name, "ip": record_ip(b, a.spoke).to_string()}))
        .collect();
    vars.insert("records".into(), json!(records));
    resources.push(copy_resource("records", "Microsoft.Network/privateDnsZones/A", "2020-06-01",
        "[concat(variables('records')[copyIndex()].zone, '/', variables('records')[copyIndex()].name)]",
        json!({"dependsOn": ["[resourceId('Microsoft.Network/privateDnsZones', variables('records')[copyIndex()].zone)]"],
            "properties": {"ttl": 10, "aRecords": [{"ipv4Address": it("records", "ip")}]}})));

    json!({
        "$schema": "https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#",
        "contentVersion": "1.0.0.0",
        "metadata": {"generator": "privlink estate-gen", "note": "Deploy with --resource-group rg-landing-zone --subscription 00000000-0000-0000-0000-00000000a001. Azure (and privlink's provider) creates private endpoint NICs and zone-group A records at deployment; the template also states them, with the same values, so the documents match estate.json name for name. Endpoints whose record drifted have no zone group: their records are managed by hand."},
        "parameters": {},
        "variables": vars,
        "resources": resources,
    })
}

/// Turns strings containing the `', variables('KEY')[copyIndex()].name, '` splice into
/// `[concat('…', variables(…).name, '…')]` expressions.
pub(crate) fn exprify(v: Value, key: &str) -> Value {
    match v {
        Value::String(s) if s.contains("variables('KEY')") => {
            let s = s.replace("KEY", key);
            Value::String(format!("[concat('{s}')]").replace("concat('', ", "concat(").replace(", '')]", ")]"))
        }
        Value::Array(a) => Value::Array(a.into_iter().map(|x| exprify(x, key)).collect()),
        Value::Object(o) => Value::Object(o.into_iter().map(|(k, x)| (k, exprify(x, key))).collect()),
        other => other,
    }
}
