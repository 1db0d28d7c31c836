//! Which loopback address each view listens on.
//!
//! Every view gets its own address in 127.53.0.0/16, so that a client picks the view by the server
//! it asks (`dig @127.53.x.y`, `nameserver 127.53.x.y`), all on one port:
//!
//! * `internet` is always [`INTERNET_ADDRESS`] (127.53.0.1);
//! * a VNet or site gets `127.53.x.y` with x, y in 1..=254, from FNV-1a (32 bit) of its lower-cased
//!   ARM id: slot = hash mod 254², x = 1 + slot / 254, y = 1 + slot mod 254. The same id always
//!   hashes to the same address, so addresses are stable across restarts and machines.
//! * Collisions are resolved by probing the next slot (wrapping). Views are placed in id order, and
//!   views already listening keep their address when the estate changes; so only a collision can
//!   make an address depend on the other views (one chance in ~65 000 per pair).

use super::snapshot::ViewKey;
use std::collections::{BTreeMap, BTreeSet};
use std::net::Ipv4Addr;

/// The address of the `internet` view.
pub const INTERNET_ADDRESS: Ipv4Addr = Ipv4Addr::new(127, 53, 0, 1);

const SLOTS: u32 = 254 * 254;

fn fnv1a(text: &str) -> u32 {
    let mut hash: u32 = 0x811c_9dc5;
    for byte in text.bytes() {
        hash ^= u32::from(byte.to_ascii_lowercase());
        hash = hash.wrapping_mul(0x0100_0193);
    }
    hash
}

fn address_of_slot(slot: u32) -> Ipv4Addr {
    Ipv4Addr::new(127, 53, (1 + slot / 254) as u8, (1 + slot % 254) as u8)
}

/// The address `key` hashes to before collisions are resolved.
pub fn preferred_address(key: &ViewKey) -> Ipv4Addr {
    match key {
        ViewKey::Internet => INTERNET_ADDRESS,
        ViewKey::VirtualNetwork(id) | ViewKey::Site(id) => address_of_slot(fnv1a(id.key()) % SLOTS),
    }
}

/// Addresses for `new` views, avoiding the addresses in `taken` (views already listening).
pub fn allocate<'a>(
    new: impl IntoIterator<Item = &'a ViewKey>,
    taken: impl IntoIterator<Item = Ipv4Addr>,
) -> BTreeMap<ViewKey, Ipv4Addr> {
    let mut used: BTreeSet<Ipv4Addr> = taken.into_iter().collect();
    let mut keys: Vec<&ViewKey> = new.into_iter().collect();
    keys.sort();
    keys.dedup();
    let mut out = BTreeMap::new();
    for key in keys {
        let address = match key {
            ViewKey::Internet => INTERNET_ADDRESS,
            ViewKey::VirtualNetwork(id) | ViewKey::Site(id) => {
                let start = fnv1a(id.key()) % SLOTS;
                (0..SLOTS)
                    .map(|i| address_of_slot((start + i) % SLOTS))
                    .find(|a| !used.contains(a))
                    .expect("fewer than 64 516 views")
            }
        };
        used.insert(address);
        out.insert(key.clone(), address);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use privlink_model::ResourceId;

    fn vnet(name: &str) -> ViewKey {
        ViewKey::VirtualNetwork(
            ResourceId::parse(&format!(
                "/subscriptions/s/resourceGroups/rg/providers/Microsoft.Network/virtualNetworks/{name}"
            ))
            .unwrap(),
        )
    }

    #[test]
    fn addresses_are_deterministic_case_insensitive_and_distinct() {
        let a = vnet("vnet-app");
        let upper = vnet("VNET-APP");
        assert_eq!(preferred_address(&a), preferred_address(&upper));
        let keys = [ViewKey::Internet, a.clone(), vnet("vnet-hub")];
        let first = allocate(&keys, []);
        let again = allocate(keys.iter().rev(), []);
        assert_eq!(first, again);
        assert_eq!(first[&ViewKey::Internet], INTERNET_ADDRESS);
        let distinct: BTreeSet<_> = first.values().collect();
        assert_eq!(distinct.len(), 3);
        for address in first.values() {
            let [a, b, c, d] = address.octets();
            assert_eq!((a, b), (127, 53));
            assert!(c >= 1 || *address == INTERNET_ADDRESS);
            assert!((1..=254).contains(&d));
        }
    }

    #[test]
    fn a_collision_probes_the_next_slot() {
        let a = vnet("vnet-app");
        let wanted = preferred_address(&a);
        let placed = allocate([&a], [wanted]);
        assert_ne!(placed[&a], wanted);
        assert_eq!(placed[&a].octets()[..2], [127, 53]);
    }
}
