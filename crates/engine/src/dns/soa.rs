//! The SOA of a negative answer (NXDOMAIN, or NOERROR without a record of the asked type): which
//! zone's, with which values and TTL. The values are invented, so they live in [`public`].

use super::{public, Resolution};
use privlink_model::{DnsName, Model, RecordType};

/// The SOA record a negative answer carries in its authority section.
#[derive(Debug, PartialEq, Eq)]
pub struct NegativeSoa {
    /// The owner: the zone the final name of the chain lies in.
    pub zone: DnsName,
    pub values: &'static public::SoaValues,
    /// RFC 2308 §3: the SOA of a negative answer carries min(SOA TTL, SOA MINIMUM).
    pub ttl: u32,
}

/// The SOA for a negative answer: the private zone that answered, if the final name of the chain
/// lies in it, else the public zone of that name. `None` when no zone can be named.
pub fn negative_answer_soa(model: &Model, resolution: &Resolution) -> Option<NegativeSoa> {
    let final_name = final_name(resolution);
    let private_zone = resolution
        .zone
        .as_ref()
        .and_then(|id| model.resources.private_dns_zones.get(id))
        .map(|zone| zone.zone.clone())
        .filter(|zone| final_name.is_within(zone));
    let (zone, values) = match private_zone {
        Some(zone) => (zone, &public::PRIVATE_ZONE_SOA),
        None => (public::public_zone_of(&final_name)?, &public::PUBLIC_ZONE_SOA),
    };
    Some(NegativeSoa { zone, values, ttl: values.ttl.min(values.minimum) })
}

/// The name the chain ends at: the last CNAME target, else the name asked.
fn final_name(resolution: &Resolution) -> DnsName {
    resolution
        .chain
        .iter()
        .rev()
        .filter(|record| record.record_type == RecordType::CNAME)
        .find_map(|record| DnsName::parse(&record.data).ok())
        .unwrap_or_else(|| resolution.query.name.clone())
}
