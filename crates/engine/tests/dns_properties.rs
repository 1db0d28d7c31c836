//! Properties of `dns::resolve`: answers do not depend on document order or id casing, and the
//! public chain of a name without a private endpoint never enters a `privatelink.` zone.

use privlink_engine::dns::{view_of, Querier, Resolver};
use privlink_load::{load, Input, Options};
use privlink_model::{DnsName, Model, RecordType, ResourceId};
use proptest::prelude::*;
use serde_json::Value;

const SEED: [&str; 5] = [
    include_str!("../../../scenarios/seed-estate/network.json"),
    include_str!("../../../scenarios/seed-estate/endpoints.json"),
    include_str!("../../../scenarios/seed-estate/dns.json"),
    include_str!("../../../scenarios/seed-estate/web.json"),
    include_str!("../../../scenarios/seed-estate/backends.json"),
];
const RG: &str = "/subscriptions/00000000-0000-0000-0000-000000000001/resourceGroups/rg-privlink-seed";
const NAMES: [&str; 5] = [
    "sql-privlink-seed.database.windows.net",
    "redis-privlink-seed.redis.cache.windows.net",
    "kv-privlink-seed.vault.azure.net",
    "oai-privlink-seed.openai.azure.com",
    "other.vault.azure.net",
];

fn model_of(files: &[Value]) -> Model {
    let inputs: Vec<Input> = files
        .iter()
        .enumerate()
        .map(|(i, v)| Input::new(format!("f{i}.json"), serde_json::to_vec(v).unwrap()))
        .collect();
    load(inputs, &Options::default()).unwrap()
}

/// Every resolution of `NAMES` from the app, its VNet and the internet, as JSON.
fn answers(model: &Model) -> String {
    let resolver = Resolver::new(model);
    let id = |s: &str| ResourceId::parse(&format!("{RG}/{s}")).unwrap();
    let queriers = [
        Querier::Site(id("providers/Microsoft.Web/sites/app-flask-privlink")),
        Querier::VirtualNetwork(id("providers/Microsoft.Network/virtualNetworks/vnet-app")),
        Querier::Internet,
    ];
    let mut out = Vec::new();
    for q in &queriers {
        let view = view_of(model, q);
        for n in NAMES {
            out.push(resolver.resolve(&view, &DnsName::parse(n).unwrap(), RecordType::A));
        }
    }
    serde_json::to_string(&out).unwrap()
}

/// Flips the case of reference strings (ids that are not a resource's own id) where `bits` says so.
fn flip_case(v: &mut Value, own_id: bool, bits: &mut impl Iterator<Item = bool>) {
    match v {
        Value::String(s) if !own_id && s.starts_with("/subscriptions/") => {
            if bits.next().unwrap_or(false) {
                *s = s.to_uppercase();
            } else {
                *s = s.to_lowercase();
            }
        }
        Value::Array(items) => items.iter_mut().for_each(|i| flip_case(i, false, bits)),
        Value::Object(map) => {
            let resource = map.contains_key("id") && map.contains_key("type");
            for (k, val) in map.iter_mut() {
                flip_case(val, resource && k == "id", bits);
            }
        }
        _ => {}
    }
}

fn seed_docs() -> Vec<Value> {
    SEED.iter().flat_map(|s| serde_json::from_str::<Vec<Value>>(s).unwrap()).collect()
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(24))]

    #[test]
    fn answers_do_not_depend_on_order_or_casing(order in Just(()).prop_perturb(|_, mut rng| {
        let mut docs: Vec<usize> = (0..seed_docs().len()).collect();
        for i in (1..docs.len()).rev() {
            docs.swap(i, rng.random_range(0..=i));
        }
        docs
    }), flips in proptest::collection::vec(any::<bool>(), 64), files in 1usize..5) {
        let docs = seed_docs();
        let baseline = answers(&model_of(&[Value::Array(docs.clone())]));
        let mut shuffled: Vec<Value> = order.iter().map(|&i| docs[i].clone()).collect();
        let mut bits = flips.into_iter().cycle();
        for d in &mut shuffled {
            flip_case(d, true, &mut bits);
        }
        let chunk = shuffled.len().div_ceil(files);
        let split: Vec<Value> = shuffled.chunks(chunk).map(|c| Value::Array(c.to_vec())).collect();
        prop_assert_eq!(baseline, answers(&model_of(&split)));
    }

    #[test]
    fn public_chain_without_endpoint_never_enters_privatelink(
        label in "[a-z][a-z0-9]{2,20}",
        suffix in prop::sample::select(vec![
            "vault.azure.net", "database.windows.net", "redis.cache.windows.net",
            "openai.azure.com", "blob.core.windows.net", "azurewebsites.net",
        ]),
    ) {
        prop_assume!(!label.contains("privlink"));
        let model = model_of(&[Value::Array(seed_docs())]);
        let resolver = Resolver::new(&model);
        let name = DnsName::parse(&format!("{label}.{suffix}")).unwrap();
        let vnet = ResourceId::parse(&format!("{RG}/providers/Microsoft.Network/virtualNetworks/vnet-app")).unwrap();
        for q in [Querier::Internet, Querier::VirtualNetwork(vnet)] {
            let r = resolver.resolve(&view_of(&model, &q), &name, RecordType::A);
            for step in &r.chain {
                prop_assert!(!step.name.labels().any(|l| l == "privatelink"), "{:?}", r.chain);
                prop_assert!(!step.data.split('.').any(|l| l == "privatelink"), "{:?}", r.chain);
            }
            prop_assert_eq!(r.rcode.map(|c| c.as_str()), Some("NOERROR"));
        }
    }
}
