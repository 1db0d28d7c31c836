//! Face parity: every `scenarios/dns/<case>/*.cmd` of the form `privlink resolve NAME --from FROM
//! [--type T] [--estate estate]` is asked of the DNS face (a hickory-proto client over UDP, to the
//! address of FROM's view) and of the engine (`dns::resolve`, what `privlink resolve` prints); the
//! rcode and the answer records must be identical. For `--format json` cases the engine's answer is
//! also checked against the expected `.out`, so the three agree.
//!
//! A site without VNet integration has no listener of its own (its view is public DNS): it is asked
//! through the `internet` listener, after checking that its engine view is indeed public.
//!
//! `--from dns:IP[@VNET]` (a client that asks the DNS server IP directly) has no listener of its
//! own either: the face serves one server per VNet and site, not per DNS server address. Such a
//! case is asked of the listener whose view has the same answerer (the `internet` listener for
//! public DNS, the listener of a VNet whose view is Azure DNS of the same VNet), so the face still
//! answers it as the engine does; a case whose answerer is unknown has no listener that stands for
//! it and is skipped, saying so.

mod dns_support;

use dns_support::{extended_error, load_estate, query_message, seen_by_the_engine, seen_on_the_wire, udp, Seen};
use hickory_proto::rr::RecordType as WireType;
use privlink_engine::dns::{view_of, Answerer, Querier, ViewKind};
use privlink_model::{DnsName, Model, RecordType, ResourceId};
use privlink_twin::dns_face::{start_dns, DnsConfig, ModelSource, ViewKey};
use std::net::SocketAddr;
use std::path::{Path, PathBuf};

struct Case {
    file: PathBuf,
    name: String,
    from: String,
    record_type: RecordType,
    estate: PathBuf,
    expected_json: Option<serde_json::Value>,
}

/// The cases, and the commands skipped with why.
fn cases() -> (Vec<Case>, Vec<String>) {
    let root = dns_support::scenarios_root().join("dns");
    let mut files = Vec::new();
    for case in std::fs::read_dir(&root).unwrap() {
        let dir = case.unwrap().path();
        for entry in std::fs::read_dir(&dir).unwrap() {
            let path = entry.unwrap().path();
            if path.extension().is_some_and(|x| x == "cmd") {
                files.push(path);
            }
        }
    }
    files.sort();
    let mut cases = Vec::new();
    let mut skipped = Vec::new();
    for file in files {
        let text = std::fs::read_to_string(&file).unwrap();
        let line = text.lines().map(str::trim).find(|l| !l.is_empty() && !l.starts_with('#')).unwrap_or("");
        let args: Vec<&str> = line.split_whitespace().collect();
        if args.get(1) != Some(&"resolve") || args.contains(&"--all") || args.contains(&"--all-apps") {
            skipped.push(format!("{}: not `privlink resolve NAME --from FROM`", file.display()));
            continue;
        }
        let dir = file.parent().unwrap();
        let mut name = None;
        let mut from = None;
        let mut record_type = RecordType::A;
        let mut estate = dns_support::scenarios_root().join("seed-estate");
        let mut json = false;
        let mut i = 2;
        while i < args.len() {
            match args[i] {
                "--from" => from = args.get(i + 1).map(|s| s.to_string()),
                "--type" => record_type = RecordType::parse(args[i + 1]).unwrap(),
                "--estate" => estate = dir.join(args[i + 1]),
                "--format" => json = args[i + 1] == "json",
                flag if flag.starts_with("--") => panic!("{}: unexpected flag {flag}", file.display()),
                positional => {
                    name = Some(positional.to_string());
                    i += 1;
                    continue;
                }
            }
            i += 2;
        }
        let code = std::fs::read_to_string(file.with_extension("code")).unwrap_or_default();
        if !code.trim().is_empty() && code.trim() != "0" {
            skipped.push(format!("{}: the command is a usage error (exit {})", file.display(), code.trim()));
            continue;
        }
        let expected_json = json.then(|| {
            let out = std::fs::read_to_string(file.with_extension("out")).unwrap();
            serde_json::from_str(&out).unwrap()
        });
        cases.push(Case {
            file: file.clone(),
            name: name.expect("a name"),
            from: from.expect("--from"),
            record_type,
            estate,
            expected_json,
        });
    }
    (cases, skipped)
}

/// FROM as `privlink resolve` reads it: `internet`, `dns:IP[@VNET]`, an ARM id, or a unique site or
/// VNet name.
fn querier(model: &Model, from: &str) -> Querier {
    if from.eq_ignore_ascii_case("internet") {
        return Querier::Internet;
    }
    if let Some(rest) = from.strip_prefix("dns:") {
        let (ip, vnet) = rest.split_once('@').map_or((rest, None), |(ip, v)| (ip, Some(v)));
        let vnet = vnet.map(|v| match querier(model, v) {
            Querier::VirtualNetwork(id) => id,
            other => panic!("--from {from}: {v} is not a VNet but {other:?}"),
        });
        return Querier::DnsServer { ip: ip.parse().unwrap_or_else(|_| panic!("--from {from}: not an IP")), vnet };
    }
    let r = &model.resources;
    let ids: Vec<(bool, &ResourceId)> = r
        .sites
        .keys()
        .map(|id| (true, id))
        .chain(r.virtual_networks.keys().map(|id| (false, id)))
        .filter(|(_, id)| id.name().eq_ignore_ascii_case(from) || id.as_str().eq_ignore_ascii_case(from))
        .collect();
    match ids.as_slice() {
        [(true, id)] => Querier::Site((*id).clone()),
        [(false, id)] => Querier::VirtualNetwork((*id).clone()),
        _ => panic!("--from {from}: not exactly one site or VNet"),
    }
}

fn wire_type(record_type: RecordType) -> WireType {
    record_type.as_str().parse().unwrap()
}

#[tokio::test]
async fn every_dns_scenario_answers_the_same_through_the_dns_face() {
    let (cases, skipped) = cases();
    assert!(cases.len() >= 15, "expected the DNS scenarios, found {}", cases.len());
    for s in &skipped {
        eprintln!("skipped: {s}");
    }
    let mut estates: Vec<(PathBuf, Model)> = Vec::new();
    let mut failures = Vec::new();
    let mut stood_in = 0;
    for case in &cases {
        if !estates.iter().any(|(p, _)| *p == case.estate) {
            estates.push((case.estate.clone(), load_estate(&case.estate)));
        }
        let model = &estates.iter().find(|(p, _)| *p == case.estate).unwrap().1;
        let querier = querier(model, &case.from);
        let view = view_of(model, &querier);
        let name = DnsName::parse(&case.name).unwrap();
        let engine = privlink_engine::dns::resolve(model, &view, &name, case.record_type);
        if let Some(expected) = &case.expected_json {
            let printed = serde_json::to_value(&engine).unwrap();
            for field in ["rcode", "chain"] {
                assert_eq!(
                    printed[field],
                    expected[field],
                    "{}: the engine disagrees with the .out",
                    case.file.display()
                );
            }
        }
        let key = match &querier {
            Querier::Internet => ViewKey::Internet,
            Querier::VirtualNetwork(id) => ViewKey::VirtualNetwork(id.clone()),
            Querier::Site(id) if model.resources.sites[id].integration_subnet.is_some() => ViewKey::Site(id.clone()),
            Querier::Site(_) => {
                assert_eq!(view.kind, ViewKind::Public, "{}: a site without integration", case.file.display());
                ViewKey::Internet
            }
            Querier::DnsServer { .. } => match stand_in(model, &view.answerer) {
                Some(key) => {
                    stood_in += 1;
                    key
                }
                None => {
                    eprintln!(
                        "skipped: {}: a client asking a DNS server privlink cannot see has no listener of the face",
                        relative(&case.file)
                    );
                    continue;
                }
            },
        };

        let face =
            start_dns(ModelSource::Model(Box::new(load_estate(&case.estate))), &DnsConfig::on_port(0)).await.unwrap();
        let address = face.address_of(&key.label()).unwrap_or_else(|| panic!("no listener for {key}"));
        let server = SocketAddr::from((address, face.port));
        let reply =
            udp(server, &query_message(&format!("{}.", case.name), wire_type(case.record_type), Some(1232))).await;
        face.shutdown().await.unwrap();

        let on_wire: Seen = seen_on_the_wire(&reply);
        let expected = seen_by_the_engine(&engine);
        if on_wire != expected {
            failures.push(format!("{}:\n  dns face: {on_wire:?}\n  engine:   {expected:?}", case.file.display()));
        }
        assert!(reply.metadata.recursion_available && !reply.metadata.authoritative, "RA set, AA clear");
        if engine.rcode.is_none() {
            let (code, text) = extended_error(&reply).expect("SERVFAIL carries an Extended DNS Error");
            assert_eq!(code, 0);
            assert!(text.starts_with("not modelled: "), "{}: EDE text {text}", case.file.display());
        }
        let has_asked_type = on_wire.answers.iter().any(|a| a.1 == case.record_type.as_str());
        if expected.rcode == "NXDOMAIN" || (expected.rcode == "NOERROR" && !has_asked_type) {
            assert!(
                reply.authorities.iter().any(|r| r.record_type() == WireType::SOA),
                "{}: a negative answer carries an SOA",
                case.file.display()
            );
        }
        eprintln!("{}: {} {:?}", relative(&case.file), on_wire.rcode, on_wire.answers);
    }
    assert!(failures.is_empty(), "the DNS face disagrees with the engine:\n{}", failures.join("\n"));
    assert!(stood_in >= 3, "the dns:IP scenarios were asked through a listener that answers alike: {stood_in}");
}

/// The listener that answers as `answerer` does: `internet` for public DNS, a VNet whose own view
/// is Azure DNS of `vnet` for Azure DNS of `vnet`; none for an unknown server.
fn stand_in(model: &Model, answerer: &Answerer) -> Option<ViewKey> {
    match answerer {
        Answerer::Public => Some(ViewKey::Internet),
        Answerer::AzureDns { .. } => model
            .resources
            .virtual_networks
            .keys()
            .find(|id| view_of(model, &Querier::VirtualNetwork((*id).clone())).answerer == *answerer)
            .map(|id| ViewKey::VirtualNetwork(id.clone())),
        Answerer::Unknown { .. } => None,
    }
}

fn relative(path: &Path) -> String {
    path.strip_prefix(dns_support::scenarios_root()).unwrap_or(path).display().to_string()
}
