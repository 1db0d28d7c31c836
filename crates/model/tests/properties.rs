//! Property tests for the newtypes everything else compares with.

use ipnet::Ipv4Net;
use privlink_model::{DnsName, ResourceId};
use proptest::prelude::*;
use std::net::Ipv4Addr;

fn segment() -> impl Strategy<Value = String> {
    "[A-Za-z0-9][A-Za-z0-9._-]{0,12}"
}

fn resource_id() -> impl Strategy<Value = String> {
    (segment(), segment(), segment(), prop::collection::vec((segment(), segment()), 1..4)).prop_map(
        |(sub, rg, ns, chain)| {
            let mut s = format!("/subscriptions/{sub}/resourceGroups/{rg}/providers/Microsoft.{ns}");
            for (t, n) in chain {
                s.push_str(&format!("/{t}/{n}"));
            }
            s
        },
    )
}

fn flip_case(s: &str, mask: &[bool]) -> String {
    s.chars()
        .zip(mask.iter().cycle())
        .map(|(c, flip)| {
            if *flip {
                if c.is_ascii_lowercase() {
                    c.to_ascii_uppercase()
                } else {
                    c.to_ascii_lowercase()
                }
            } else {
                c
            }
        })
        .collect()
}

proptest! {
    #[test]
    fn resource_id_display_round_trips(text in resource_id()) {
        let id = ResourceId::parse(&text).unwrap();
        prop_assert_eq!(id.to_string(), text.clone());
        prop_assert_eq!(ResourceId::parse(&id.to_string()).unwrap(), id);
    }

    #[test]
    fn resource_id_equality_ignores_case(text in resource_id(), mask in prop::collection::vec(any::<bool>(), 1..16)) {
        let a = ResourceId::parse(&text).unwrap();
        let b = ResourceId::parse(&flip_case(&text, &mask)).unwrap();
        prop_assert_eq!(&a, &b);
        prop_assert_eq!(a.cmp(&b), std::cmp::Ordering::Equal);
        prop_assert_eq!(a.parent(), b.parent());
    }

    #[test]
    fn child_of_parent_is_self(text in resource_id()) {
        let id = ResourceId::parse(&text).unwrap();
        if id.names().count() > 1 {
            let parent = id.parent().unwrap();
            let ty = id.resource_type();
            let last_type = ty.rsplit('/').next().unwrap();
            prop_assert_eq!(parent.child(last_type, id.name()), id.clone());
            prop_assert!(id.is_within(&parent));
        }
    }

    #[test]
    fn prefix_containment_matches_address_arithmetic(addr in any::<u32>(), len in 0u8..=32, probe in any::<u32>()) {
        let net = Ipv4Net::new(Ipv4Addr::from(addr), len).unwrap().trunc();
        let mask: u32 = if len == 0 { 0 } else { u32::MAX << (32 - len) };
        let expected = (probe & mask) == (u32::from(net.network()) & mask);
        prop_assert_eq!(net.contains(&Ipv4Addr::from(probe)), expected);
    }

    #[test]
    fn dns_names_compare_case_insensitively(labels in prop::collection::vec("[a-z0-9]([a-z0-9-]{0,10}[a-z0-9])?", 1..5), mask in prop::collection::vec(any::<bool>(), 1..8)) {
        let name = labels.join(".");
        let a = DnsName::parse(&name).unwrap();
        let b = DnsName::parse(&format!("{}.", flip_case(&name, &mask))).unwrap();
        prop_assert_eq!(a, b);
    }
}

fn vnets_with_spaces(spaces: &[Vec<(u32, u8)>]) -> privlink_model::Model {
    use privlink_model::{Meta, Model, Origin, Resources, VirtualNetwork};
    let mut resources = Resources::default();
    for (i, space) in spaces.iter().enumerate() {
        let id = ResourceId::parse(&format!(
            "/subscriptions/s/resourceGroups/rg/providers/Microsoft.Network/virtualNetworks/vnet{i:02}"
        ))
        .unwrap();
        let address_space = space
            .iter()
            .map(|(addr, len)| ipnet::IpNet::V4(Ipv4Net::new(Ipv4Addr::from(*addr), *len).unwrap().trunc()))
            .collect();
        let meta = Meta { id: id.clone(), name: id.name().to_string(), location: None, origin: Origin::new("t", "") };
        resources.virtual_networks.insert(
            id,
            VirtualNetwork {
                meta,
                address_space,
                dns_servers: Vec::new(),
                dns_servers_unknown: None,
                subnets: Vec::new(),
                peerings: Vec::new(),
            },
        );
    }
    Model::new(resources, Default::default(), Vec::new())
}

proptest! {
    /// The prefix index answers as a scan of every VNet in id order would, overlaps included.
    #[test]
    fn vnet_containing_agrees_with_a_scan(
        spaces in prop::collection::vec(prop::collection::vec((0x0a00_0000u32..0x0a04_0000, 8u8..=28), 1..3), 0..12),
        probes in prop::collection::vec(0x0a00_0000u32..0x0a04_0000, 1..40),
    ) {
        let model = vnets_with_spaces(&spaces);
        for probe in probes {
            let ip = std::net::IpAddr::V4(Ipv4Addr::from(probe));
            let scan = model.resources.virtual_networks.values().find(|v| v.address_space.iter().any(|p| p.contains(&ip)));
            prop_assert_eq!(model.vnet_containing(ip).map(|v| &v.meta.id), scan.map(|v| &v.meta.id));
        }
    }
}
