//! Terraform plans (`terraform show -json PLANFILE`) as the ARM documents Azure would hold after
//! apply (azure-semantics §16, Appendix A).
//!
//! Each azurerm resource instance of the plan becomes one ARM document (children such as a private
//! endpoint's zone group their own), mapped attribute by attribute (`network`, `services`). Ids come
//! from the plan when it knows them; when they are known only after apply they are built from the
//! resource's name and parents, as Azure names them. A value known only after apply is followed
//! through the configuration's references (`subnet_id = azurerm_subnet.pe.id` is that subnet's id,
//! through module outputs and variables); what cannot be followed stays an unknown value (the
//! template evaluator's `[unknown]` marker, or left out where a typed field would reject it, each
//! listed as `LOAD016`). The documents are then deployed through the engine's provider like a
//! template's, so Azure's deploy-time behaviour (endpoint NICs and addresses, zone-group records,
//! backend connections) applies. Every document's origin names its Terraform address.

mod ids;
mod network;
mod plan;
mod services;

use plan::{split_address, step, Index, Instance, Planned};
use privlink_model::{LoadDiagnostic, Origin, Severity};
use serde_json::{json, Map, Value};
use std::cell::RefCell;
use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;

/// Whether a JSON document is `terraform show -json` output: a plan, or a state.
pub fn is_plan(value: &Value) -> bool {
    value.get("format_version").is_some_and(Value::is_string)
        && (value.get("resource_changes").is_some()
            || value.get("planned_values").is_some()
            || value.get("terraform_version").is_some() && value.get("values").is_some())
}

/// What one plan maps to.
pub struct Translated {
    /// ARM documents with their origins (the plan file, a pointer to the planned values, the address).
    pub documents: Vec<(Value, Origin)>,
    /// The ids of the documents in the order Terraform would create them (references first).
    pub order: Vec<String>,
    pub diagnostics: Vec<LoadDiagnostic>,
}

/// Maps a plan to ARM documents. `subscription` is used only when the plan names none (the azurerm
/// provider's `subscription_id`, or an id the plan knows), and a diagnostic says so.
pub fn translate(file: &str, plan: &Value, subscription: &str) -> Translated {
    let instances = plan::instances(plan);
    let ctx = Ctx::new(file, plan, &instances, subscription);
    let mut documents: Vec<(Value, Origin, &Instance)> = Vec::new();
    let mut patches: Vec<(String, Value, &Instance)> = Vec::new();
    let mut unmapped: BTreeMap<&str, usize> = BTreeMap::new();
    for inst in instances.iter().filter(|i| i.mode == "managed") {
        let mut out = Mapped::default();
        let known = network::map(&ctx, inst, &mut out) || services::map(&ctx, inst, &mut out);
        if !known {
            if inst.kind.starts_with("azurerm_") {
                *unmapped.entry(inst.kind).or_default() += 1;
            }
            continue;
        }
        for doc in out.documents {
            documents.push((doc, ctx.origin(inst, ""), inst));
        }
        for (id, patch) in out.patches {
            patches.push((id, patch, inst));
        }
    }
    // Associations and separate policy resources refine the document they name.
    for (id, patch, inst) in patches {
        match documents.iter_mut().find(|(d, _, _)| d["id"].as_str().is_some_and(|d| d.eq_ignore_ascii_case(&id))) {
            Some((doc, _, _)) => merge(doc, &patch),
            None => ctx.diag(
                Severity::Info,
                "LOAD009",
                inst,
                "",
                format!("{} refines {id}, which is not in the plan; privlink treats it as unknown", inst.address),
            ),
        }
    }
    network::settle_peerings(&mut documents);
    for (kind, count) in unmapped {
        ctx.diagnostics.borrow_mut().push(LoadDiagnostic::new(
            Severity::Info,
            "LOAD020",
            &Origin::new(file, ""),
            format!(
                "{count} {kind} resource{} not mapped: privlink does not model this azurerm type",
                if count == 1 { " is" } else { "s are" }
            ),
        ));
    }
    let order = creation_order(&ctx, &documents);
    let documents = documents.into_iter().map(|(d, o, _)| (d, o)).collect();
    Translated { documents, order, diagnostics: ctx.diagnostics.into_inner() }
}

/// The documents' ids, each after what its resource references or depends on, else in plan order.
fn creation_order(ctx: &Ctx, documents: &[(Value, Origin, &Instance)]) -> Vec<String> {
    let addresses: BTreeSet<String> = documents.iter().map(|(_, _, i)| plan::strip_keys(&i.address)).collect();
    let mut done: BTreeSet<usize> = BTreeSet::new();
    let mut placed_addresses: BTreeSet<String> = BTreeSet::new();
    let mut order = Vec::new();
    let needs: Vec<BTreeSet<String>> = documents
        .iter()
        .map(|(_, _, i)| {
            let mut refs = BTreeSet::new();
            if let Some(e) = i.expressions {
                collect_references(e, &mut refs);
            }
            refs.extend(i.depends_on.iter().cloned());
            let own = plan::strip_keys(&i.address);
            refs.into_iter()
                .filter_map(|r| {
                    let parts = split_address(&plan::strip_keys(&r));
                    let head = if parts.first().map(String::as_str) == Some("data") {
                        return None;
                    } else {
                        parts.get(..2)?.join(".")
                    };
                    let full =
                        if i.module.is_empty() { head } else { format!("{}.{head}", plan::strip_keys(&i.module)) };
                    (full != own && addresses.contains(&full)).then_some(full)
                })
                .collect()
        })
        .collect();
    while done.len() < documents.len() {
        let ready: Vec<usize> = (0..documents.len())
            .filter(|n| !done.contains(n) && needs[*n].iter().all(|a| placed_addresses.contains(a)))
            .collect();
        // A cycle (which Terraform would refuse) is broken in plan order.
        let batch = if ready.is_empty() {
            vec![(0..documents.len()).find(|n| !done.contains(n)).expect("one left")]
        } else {
            ready
        };
        // Placing a whole resource at once keeps an instance's documents together.
        let mut placed_now = Vec::new();
        for n in batch {
            done.insert(n);
            placed_now.push(plan::strip_keys(&documents[n].2.address));
            if let Some(id) = documents[n].0["id"].as_str() {
                order.push(id.to_string());
            }
        }
        let all_placed = |a: &String| {
            (0..documents.len()).all(|n| done.contains(&n) || plan::strip_keys(&documents[n].2.address) != *a)
        };
        for a in placed_now {
            if all_placed(&a) {
                placed_addresses.insert(a);
            }
        }
    }
    let _ = ctx;
    order
}

fn collect_references(v: &Value, out: &mut BTreeSet<String>) {
    match v {
        Value::Object(m) => {
            if let Some(refs) = m.get("references").and_then(Value::as_array) {
                out.extend(refs.iter().filter_map(Value::as_str).map(str::to_string));
            }
            for (k, x) in m {
                if k != "references" {
                    collect_references(x, out);
                }
            }
        }
        Value::Array(a) => a.iter().for_each(|x| collect_references(x, out)),
        _ => {}
    }
}

/// Recursively merges `patch` into `doc` (objects merged, arrays appended, scalars replaced).
fn merge(doc: &mut Value, patch: &Value) {
    match (doc, patch) {
        (Value::Object(d), Value::Object(p)) => {
            for (k, v) in p {
                match d.get_mut(k) {
                    Some(existing) => merge(existing, v),
                    None => {
                        d.insert(k.clone(), v.clone());
                    }
                }
            }
        }
        (Value::Array(d), Value::Array(p)) => d.extend(p.iter().cloned()),
        (d, p) => *d = p.clone(),
    }
}

/// What mapping one instance produced.
#[derive(Default)]
pub(crate) struct Mapped {
    pub documents: Vec<Value>,
    /// Changes to another resource's document, by its id (associations, access policies).
    pub patches: Vec<(String, Value)>,
}

/// A value after following the configuration: known, known only after apply (named by where it
/// comes from, so two reads of one future value agree), or not set.
#[derive(Clone, Debug, PartialEq)]
pub(crate) enum Resolved {
    Known(Value),
    Future(String),
    Unset,
}

/// The mapping context: the plan's instances, the ids built so far, the diagnostics.
pub(crate) struct Ctx<'i, 'p> {
    file: Arc<str>,
    plan: &'p Value,
    index: Index<'i, 'p>,
    pub subscription: String,
    ids: RefCell<BTreeMap<String, Option<String>>>,
    diagnostics: RefCell<Vec<LoadDiagnostic>>,
    /// Future values already reported, so each is listed once.
    reported: RefCell<BTreeSet<String>>,
}

const MAX_DEPTH: usize = 12;

impl<'i, 'p> Ctx<'i, 'p> {
    fn new(file: &str, plan: &'p Value, instances: &'i [Instance<'p>], fallback: &str) -> Self {
        let mut ctx = Ctx {
            file: Arc::from(file),
            plan,
            index: Index::new(instances),
            subscription: String::new(),
            ids: RefCell::default(),
            diagnostics: RefCell::default(),
            reported: RefCell::default(),
        };
        ctx.subscription = match ctx.plan_subscription(instances) {
            Some(s) => s,
            None => {
                if instances.iter().any(|i| i.kind.starts_with("azurerm_")) {
                    ctx.diagnostics.borrow_mut().push(LoadDiagnostic::new(
                        Severity::Info,
                        "LOAD019",
                        &Origin::new(file, "/configuration/provider_config"),
                        format!("the plan names no subscription (azurerm provider subscription_id, or a known resource id); ids use subscription {fallback} (--subscription)"),
                    ));
                }
                fallback.to_string()
            }
        };
        ctx
    }

    fn plan_subscription(&self, instances: &[Instance]) -> Option<String> {
        let providers = self.plan.pointer("/configuration/provider_config")?.as_object();
        for (key, provider) in providers.into_iter().flatten() {
            if provider.get("name").and_then(Value::as_str) != Some("azurerm") && key != "azurerm" {
                continue;
            }
            let expr = step(provider, "expressions.subscription_id");
            if let Some(s) = expr.get("constant_value").and_then(Value::as_str) {
                return Some(s.to_string());
            }
            let module = provider.get("module_address").and_then(Value::as_str).unwrap_or("");
            for r in expr.get("references").and_then(Value::as_array).into_iter().flatten().filter_map(Value::as_str) {
                if let Some(Resolved::Known(Value::String(s))) = self.reference(module, r, 0) {
                    return Some(s);
                }
            }
        }
        instances.iter().find_map(|i| {
            let id = i.values.get("id")?.as_str()?;
            let rest = id.strip_prefix("/subscriptions/")?;
            Some(rest.split('/').next()?.to_string())
        })
    }

    /// Where an attribute of an instance is in the plan, naming its address.
    pub fn origin(&self, inst: &Instance, path: &str) -> Origin {
        let pointer = path.split('.').filter(|t| !t.is_empty()).map(|t| format!("/{t}")).collect::<String>();
        Origin::new(self.file.clone(), format!("{}{pointer}", inst.pointer)).with_address(inst.address.as_str())
    }

    pub fn diag(&self, severity: Severity, code: &'static str, inst: &Instance, path: &str, message: String) {
        let mut d = LoadDiagnostic::new(severity, code, &self.origin(inst, path), message);
        // Only an id already built: building one here could read the attribute being reported.
        let id = self.ids.borrow().get(&inst.address).cloned().flatten();
        if let Some(id) = id.and_then(|id| privlink_model::ResourceId::parse(&id).ok()) {
            d = d.about(&id);
        }
        self.diagnostics.borrow_mut().push(d);
    }

    /// The value at `path`, following the configuration when the plan knows it only after apply.
    pub fn value(&self, inst: &Instance, path: &str) -> Resolved {
        self.value_at(inst, path, 0)
    }

    fn value_at(&self, inst: &Instance, path: &str, depth: usize) -> Resolved {
        match inst.get(path) {
            Planned::Known(v) => Resolved::Known(v),
            Planned::Unset => Resolved::Unset,
            Planned::AfterApply => {
                if path == "id" {
                    if let Some(id) = self.id_of(inst) {
                        return Resolved::Known(Value::String(id));
                    }
                }
                if depth < MAX_DEPTH {
                    for r in inst.references(path) {
                        if let Some(found) = self.reference(&inst.module, &r, depth + 1) {
                            return found;
                        }
                    }
                }
                Resolved::Future(format!("{}.{}", inst.address, dotted_to_hcl(path)))
            }
        }
    }

    /// What a configuration reference (`azurerm_subnet.pe.id`, `var.x`, `module.m.out`) evaluates
    /// to in module `module`; `None` when the reference does not name a value privlink can follow.
    fn reference(&self, module: &str, reference: &str, depth: usize) -> Option<Resolved> {
        if depth > MAX_DEPTH {
            return None;
        }
        let parts = split_address(reference);
        let root = self.plan.pointer("/configuration/root_module");
        match parts.first()?.as_str() {
            "var" => {
                let name = parts.get(1)?;
                if module.is_empty() {
                    let v = self.plan.get("variables")?.get(name)?.get("value")?;
                    return Some(Resolved::Known(step(v, &hcl_to_dotted(&parts[2..].join("."))).clone()));
                }
                let (parent, call) = split_last_module(module)?;
                let call_name = call.split('[').next()?;
                let expr = plan::config_module(root?, &parent)?
                    .get("module_calls")?
                    .get(call_name)?
                    .get("expressions")?
                    .get(name)?;
                self.expression(&parent, expr, depth)
            }
            "module" => {
                let (call, output) = (parts.get(1)?, parts.get(2)?);
                let child =
                    if module.is_empty() { format!("module.{call}") } else { format!("{module}.module.{call}") };
                let expr = plan::config_module(root?, &child)?.get("outputs")?.get(output)?.get("expression")?;
                self.expression(&child, expr, depth)
            }
            "local" | "each" | "count" | "path" | "terraform" | "self" => None,
            _ => {
                let (head, rest) = if parts[0] == "data" {
                    (parts.get(..3)?.join("."), &parts[3..])
                } else {
                    (parts.get(..2)?.join("."), &parts[2..])
                };
                if rest.is_empty() {
                    return None;
                }
                let address = if module.is_empty() { head } else { format!("{module}.{head}") };
                let target = self.index.get(&address)?;
                let path = hcl_to_dotted(&rest.join("."));
                Some(self.value_at(target, &path, depth + 1))
            }
        }
    }

    fn expression(&self, module: &str, expr: &Value, depth: usize) -> Option<Resolved> {
        if let Some(c) = expr.get("constant_value") {
            return Some(Resolved::Known(c.clone()));
        }
        expr.get("references")?
            .as_array()?
            .iter()
            .filter_map(Value::as_str)
            .find_map(|r| self.reference(module, r, depth + 1))
    }

    /// The ARM id of an instance: the plan's when known, else built as Azure names the resource.
    pub fn id_of(&self, inst: &Instance) -> Option<String> {
        if let Some(cached) = self.ids.borrow().get(&inst.address) {
            return cached.clone();
        }
        self.ids.borrow_mut().insert(inst.address.clone(), None);
        let id = ids::id_of(self, inst);
        self.ids.borrow_mut().insert(inst.address.clone(), id.clone());
        id
    }

    /// Lists a future value once as `LOAD016` and returns the marker a document holds for it.
    pub fn future(&self, inst: &Instance, path: &str, what: &str, left_out: bool) -> String {
        let marker = crate::template::Unknown::new(format!("{what} is known after apply")).marker();
        if self.reported.borrow_mut().insert(format!("{}#{path}", inst.address)) {
            let tail = if left_out { "privlink leaves it out" } else { "privlink holds it as an unknown value" };
            self.diag(
                Severity::Info,
                "LOAD016",
                inst,
                path,
                format!("{}: {what} is known only after apply; {tail}", inst.address),
            );
        }
        marker
    }

    /// A string attribute; a future value becomes the unknown marker.
    pub fn text(&self, inst: &Instance, path: &str) -> Option<String> {
        match self.value(inst, path) {
            Resolved::Known(Value::String(s)) => Some(s),
            Resolved::Known(Value::Null) | Resolved::Unset => None,
            Resolved::Known(v @ (Value::Number(_) | Value::Bool(_))) => Some(v.to_string()),
            Resolved::Known(_) => None,
            Resolved::Future(what) => Some(self.future(inst, path, &what, false)),
        }
    }

    /// A string attribute that must be known (names, addresses); a future value is left out.
    pub fn known(&self, inst: &Instance, path: &str) -> Option<String> {
        match self.value(inst, path) {
            Resolved::Known(Value::String(s)) => Some(s),
            Resolved::Known(v @ (Value::Number(_) | Value::Bool(_))) => Some(v.to_string()),
            Resolved::Future(what) => {
                self.future(inst, path, &what, true);
                None
            }
            _ => None,
        }
    }

    /// A string attribute when known, without reporting a future value (which the caller replaces).
    pub fn known_quiet(&self, inst: &Instance, path: &str) -> Option<String> {
        match self.value(inst, path) {
            Resolved::Known(Value::String(s)) => Some(s),
            _ => None,
        }
    }

    /// A resource id attribute; a future value that cannot be followed is left out.
    pub fn id(&self, inst: &Instance, path: &str) -> Option<String> {
        self.known(inst, path).filter(|s| s.starts_with('/'))
    }

    pub fn bool(&self, inst: &Instance, path: &str) -> Option<bool> {
        match self.value(inst, path) {
            Resolved::Known(Value::Bool(b)) => Some(b),
            Resolved::Known(Value::String(s)) => s.parse().ok(),
            Resolved::Future(what) => {
                self.future(inst, path, &what, true);
                None
            }
            _ => None,
        }
    }

    pub fn number(&self, inst: &Instance, path: &str) -> Option<i64> {
        match self.value(inst, path) {
            Resolved::Known(Value::Number(n)) => n.as_i64(),
            Resolved::Known(Value::String(s)) => s.parse().ok(),
            Resolved::Future(what) => {
                self.future(inst, path, &what, true);
                None
            }
            _ => None,
        }
    }

    /// A list of strings; elements known only after apply are followed through the list's
    /// references (one per element, in order) or left out.
    pub fn strings(&self, inst: &Instance, path: &str) -> Vec<String> {
        let n = inst.len(path);
        if n == 0 && inst.is_unknown(path) {
            return match self.value(inst, path) {
                Resolved::Known(Value::Array(items)) => {
                    items.iter().filter_map(|v| v.as_str().map(str::to_string)).collect()
                }
                Resolved::Known(Value::String(s)) => vec![s],
                Resolved::Future(what) => {
                    self.future(inst, path, &what, true);
                    Vec::new()
                }
                _ => Vec::new(),
            };
        }
        let targets: Vec<String> = {
            let mut seen = BTreeSet::new();
            inst.references(path)
                .into_iter()
                .filter(|r| !r.starts_with("var.") && split_address(r).len() > 2)
                .filter(|r| seen.insert(strip_attr(r)))
                .collect()
        };
        (0..n)
            .filter_map(|i| {
                let element = format!("{path}.{i}");
                if !inst.is_unknown(&element) {
                    return self.known(inst, &element);
                }
                let followed = (targets.len() == n).then(|| self.reference(&inst.module, &targets[i], 1)).flatten();
                match followed {
                    Some(Resolved::Known(Value::String(s))) => Some(s),
                    _ => {
                        self.future(inst, &element, &format!("{}.{}", inst.address, dotted_to_hcl(&element)), true);
                        None
                    }
                }
            })
            .collect()
    }
}

/// `identity.0.principal_id` → `identity[0].principal_id` (how Terraform writes the address).
fn dotted_to_hcl(path: &str) -> String {
    let mut out = String::new();
    for token in path.split('.').filter(|t| !t.is_empty()) {
        if token.parse::<usize>().is_ok() {
            out.push_str(&format!("[{token}]"));
        } else {
            if !out.is_empty() {
                out.push('.');
            }
            out.push_str(token);
        }
    }
    out
}

/// `identity[0].principal_id` → `identity.0.principal_id`; string keys (`tags["a"]`) become `tags.a`.
fn hcl_to_dotted(path: &str) -> String {
    path.replace("[\"", ".").replace("\"]", "").replace('[', ".").replace(']', "")
}

/// `azurerm_subnet.pe.id` → `azurerm_subnet.pe`.
fn strip_attr(reference: &str) -> String {
    let parts = split_address(reference);
    let n = if parts.first().map(String::as_str) == Some("data") { 3 } else { 2 };
    parts[..n.min(parts.len())].join(".")
}

/// `module.a.module.b["k"]` → (`module.a`, `b["k"]`).
fn split_last_module(module: &str) -> Option<(String, String)> {
    let parts = split_address(module);
    if parts.len() < 2 || parts[parts.len() - 2] != "module" {
        return None;
    }
    Some((parts[..parts.len() - 2].join("."), parts[parts.len() - 1].clone()))
}

/// `{"k": v}` objects from a list of (key, Option<value>), leaving out what is unset.
pub(crate) fn object(entries: Vec<(&str, Option<Value>)>) -> Value {
    let map: Map<String, Value> = entries.into_iter().filter_map(|(k, v)| Some((k.to_string(), v?))).collect();
    Value::Object(map)
}

/// `{"id": id}` for a reference, when there is one.
pub(crate) fn id_ref(id: Option<String>) -> Option<Value> {
    id.map(|id| json!({ "id": id }))
}

/// `Enabled` / `Disabled` for a boolean attribute.
pub(crate) fn enabled(b: Option<bool>) -> Option<Value> {
    b.map(|b| Value::String(if b { "Enabled" } else { "Disabled" }.into()))
}
