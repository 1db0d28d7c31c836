//! Private DNS zone groups, zone links, record sets and DNS forwarding rules.

use super::meta;
use crate::reader::Reader;
use privlink_model::*;
use serde_json::Value;
use std::net::IpAddr;

pub(super) fn read_zone_group(doc: &Document, rd: &mut Reader) -> PrivateDnsZoneGroup {
    let mut configs = Vec::new();
    for i in 0..rd.array("/properties/privateDnsZoneConfigs").len() {
        let base = format!("/properties/privateDnsZoneConfigs/{i}");
        let zone = rd.reference(&format!("{base}/properties/privateDnsZoneId"));
        if zone.is_none() {
            rd.missing(&format!("{base}/properties/privateDnsZoneId"), "the id of the private DNS zone");
        }
        let mut record_sets = Vec::new();
        for j in 0..rd.array(&format!("{base}/properties/recordSets")).len() {
            let rb = format!("{base}/properties/recordSets/{j}");
            let mut ips = Vec::new();
            for (k, t) in rd.strings(&format!("{rb}/ipAddresses")).iter().enumerate() {
                ips.extend(rd.ip(&format!("{rb}/ipAddresses/{k}"), t));
            }
            record_sets.push(ZoneGroupRecordSet {
                record_type: rd.string(&format!("{rb}/recordType")).unwrap_or_else(|| "A".into()),
                record_set_name: rd.string(&format!("{rb}/recordSetName")).unwrap_or_default(),
                fqdn: rd.string(&format!("{rb}/fqdn")),
                ttl: rd.int(&format!("{rb}/ttl")).and_then(|t| u32::try_from(t).ok()),
                ip_addresses: ips,
            });
        }
        configs.push(ZoneGroupConfig {
            name: rd.string(&format!("{base}/name")).unwrap_or_default(),
            zone,
            record_sets,
        });
    }
    PrivateDnsZoneGroup {
        meta: meta(doc),
        private_endpoint: rd.canonical(doc.id.parent().expect("a zone group has an endpoint parent")),
        configs,
    }
}

pub(super) fn read_vnet_link(doc: &Document, rd: &mut Reader) -> VirtualNetworkLink {
    let vnet = rd.reference("/properties/virtualNetwork");
    if vnet.is_none() {
        rd.missing("/properties/virtualNetwork", "the linked virtual network {\"id\": \"...\"}");
    }
    let resolution_policy = match rd.str("/properties/resolutionPolicy") {
        None => ResolutionPolicy::Default,
        Some(t) if t.eq_ignore_ascii_case("Default") => ResolutionPolicy::Default,
        Some(t) if t.eq_ignore_ascii_case("NxDomainRedirect") => ResolutionPolicy::NxDomainRedirect,
        Some(t) => {
            rd.diag(
                Severity::Error,
                "LOAD012",
                "/properties/resolutionPolicy",
                format!("'{t}' is not Default or NxDomainRedirect"),
            );
            ResolutionPolicy::Default
        }
    };
    VirtualNetworkLink {
        meta: meta(doc),
        zone: rd.canonical(doc.id.parent().expect("a link has a zone parent")),
        vnet,
        registration_enabled: rd.bool("/properties/registrationEnabled").unwrap_or(false),
        resolution_policy,
        state: rd.string("/properties/virtualNetworkLinkState"),
    }
}

pub(super) fn read_record_set(doc: &Document, rd: &mut Reader) -> Option<RecordSet> {
    let type_segment = doc.id.resource_type().rsplit('/').next().unwrap_or_default().to_string();
    let Some(record_type) = RecordType::parse(&type_segment) else {
        rd.diag(
            Severity::Warning,
            "LOAD012",
            "/type",
            format!("record type '{type_segment}' is not a private DNS record type"),
        );
        return None;
    };
    let zone_id = rd.canonical(doc.id.parent().expect("a record set has a zone parent"));
    let zone = rd.dns_name("/id", zone_id.name())?;
    let relative_name = doc.id.name().to_string();
    let fqdn = match zone.prepend(&relative_name) {
        Ok(f) => f,
        Err(e) => {
            rd.diag(Severity::Error, "LOAD011", "/name", e.to_string());
            return None;
        }
    };
    let ttl = rd.int("/properties/ttl").and_then(|t| u32::try_from(t).ok()).unwrap_or(3600);
    let data = match record_type {
        RecordType::A => {
            let mut v = Vec::new();
            for i in 0..rd.array("/properties/aRecords").len() {
                let p = format!("/properties/aRecords/{i}/ipv4Address");
                if let Some(t) = rd.str(&p) {
                    match rd.ip(&p, t) {
                        Some(IpAddr::V4(a)) => v.push(a),
                        Some(IpAddr::V6(_)) => {
                            rd.diag(Severity::Error, "LOAD010", &p, "an A record needs an IPv4 address")
                        }
                        None => {}
                    }
                }
            }
            if rd.get("/properties/aRecords").is_none() {
                rd.missing("/properties/aRecords", "the A records [{\"ipv4Address\": \"...\"}]");
            }
            RecordData::A(v)
        }
        RecordType::AAAA => {
            let mut v = Vec::new();
            for i in 0..rd.array("/properties/aaaaRecords").len() {
                let p = format!("/properties/aaaaRecords/{i}/ipv6Address");
                if let Some(t) = rd.str(&p) {
                    if let Some(IpAddr::V6(a)) = rd.ip(&p, t) {
                        v.push(a);
                    }
                }
            }
            RecordData::AAAA(v)
        }
        RecordType::CNAME => {
            let target = match rd.str("/properties/cnameRecord/cname") {
                Some(t) => rd.dns_name("/properties/cnameRecord/cname", t),
                None => {
                    rd.missing("/properties/cnameRecord/cname", "the CNAME target");
                    None
                }
            };
            RecordData::CNAME(target)
        }
        _ => RecordData::Other(doc.body.get("properties").cloned().unwrap_or(Value::Null)),
    };
    Some(RecordSet {
        meta: meta(doc),
        zone: zone_id,
        relative_name,
        fqdn,
        record_type,
        ttl,
        data,
        auto_registered: rd.bool("/properties/isAutoRegistered").unwrap_or(false),
    })
}

pub(super) fn read_forwarding_rule(doc: &Document, rd: &mut Reader) -> Option<ForwardingRule> {
    let domain_text = rd.string("/properties/domainName");
    let Some(domain_text) = domain_text else {
        rd.missing("/properties/domainName", "the domain the rule forwards, e.g. \"contoso.com.\"");
        return None;
    };
    let domain = rd.dns_name("/properties/domainName", &domain_text)?;
    let mut targets = Vec::new();
    for i in 0..rd.array("/properties/targetDnsServers").len() {
        let base = format!("/properties/targetDnsServers/{i}");
        if let Some(t) = rd.str(&format!("{base}/ipAddress")) {
            if let Some(ip) = rd.ip(&format!("{base}/ipAddress"), t) {
                let port = rd.int(&format!("{base}/port")).and_then(|p| u16::try_from(p).ok()).unwrap_or(53);
                targets.push(ForwardingTarget { ip, port });
            }
        }
    }
    let enabled = !rd.str("/properties/forwardingRuleState").is_some_and(|s| s.eq_ignore_ascii_case("Disabled"));
    Some(ForwardingRule {
        meta: meta(doc),
        ruleset: rd.canonical(doc.id.parent().expect("a rule has a ruleset parent")),
        domain,
        targets,
        enabled,
    })
}
