//! Reading a plan: resource instances with their planned values, what is known after apply, and
//! the configuration's references, which say where an unknown value comes from (azure-semantics
//! §16.2–§16.4).

use serde_json::Value;
use std::collections::BTreeMap;

/// One resource instance of the plan, as it will be after apply.
pub struct Instance<'p> {
    /// The full instance address, e.g. `module.net.azurerm_subnet.pe["a"]`.
    pub address: String,
    /// The module instance address (`module.net`), empty for the root module.
    pub module: String,
    pub mode: &'p str,
    pub kind: &'p str,
    /// The planned values (`change.after`), unknown leaves absent.
    pub values: &'p Value,
    /// Same shape as `values`, `true` where the value is known only after apply.
    pub unknown: &'p Value,
    /// Where the values are in the plan (a JSON pointer), for diagnostics and origins.
    pub pointer: String,
    /// The configuration's expressions for this resource (per module, not per instance).
    pub expressions: Option<&'p Value>,
    /// Addresses in the configuration's `depends_on`.
    pub depends_on: Vec<String>,
}

/// A value read from an instance: known, known only after apply, or not set.
#[derive(Clone, Debug, PartialEq)]
pub enum Planned {
    Known(Value),
    AfterApply,
    Unset,
}

static NULL: Value = Value::Null;
static FALSE: Value = Value::Bool(false);

/// Steps through a dotted attribute path (`site_config.0.vnet_route_all_enabled`); numeric steps
/// index lists. A block given as one object is read at index 0 (configuration expressions do that).
pub fn step<'v>(value: &'v Value, path: &str) -> &'v Value {
    let mut current = value;
    for token in path.split('.').filter(|t| !t.is_empty()) {
        current = match (current, token.parse::<usize>()) {
            (Value::Array(items), Ok(i)) => items.get(i).unwrap_or(&NULL),
            (Value::Object(_), Ok(0)) => current,
            (Value::Object(map), _) => map.get(token).unwrap_or(&NULL),
            _ => &NULL,
        };
    }
    current
}

impl Instance<'_> {
    /// The planned value at `path`.
    pub fn get(&self, path: &str) -> Planned {
        if self.is_unknown(path) {
            return Planned::AfterApply;
        }
        match step(self.values, path) {
            Value::Null => Planned::Unset,
            v => Planned::Known(v.clone()),
        }
    }

    /// Whether `path`, or an enclosing block, is known only after apply.
    pub fn is_unknown(&self, path: &str) -> bool {
        if self.unknown == &Value::Bool(true) {
            return true;
        }
        let mut current = self.unknown;
        for token in path.split('.').filter(|t| !t.is_empty()) {
            current = match (current, token.parse::<usize>()) {
                (Value::Array(items), Ok(i)) => items.get(i).unwrap_or(&FALSE),
                (Value::Object(map), _) => map.get(token).unwrap_or(&FALSE),
                _ => &FALSE,
            };
            if current == &Value::Bool(true) {
                return true;
            }
        }
        false
    }

    /// The references the configuration gives for the argument at `path` (most specific first).
    pub fn references(&self, path: &str) -> Vec<String> {
        let Some(expressions) = self.expressions else { return Vec::new() };
        step(expressions, path)
            .get("references")
            .and_then(Value::as_array)
            .map(|r| r.iter().filter_map(Value::as_str).map(str::to_string).collect())
            .unwrap_or_default()
    }

    /// The number of elements of a list or nested block at `path`.
    pub fn len(&self, path: &str) -> usize {
        match step(self.values, path) {
            Value::Array(items) => items.len(),
            _ => match step(self.unknown, path) {
                Value::Array(items) => items.len(),
                _ => 0,
            },
        }
    }
}

/// The instances of a plan (or of a state shown with `terraform show -json`), in plan order.
pub fn instances(plan: &Value) -> Vec<Instance<'_>> {
    let mut out = Vec::new();
    let configuration = plan.get("configuration").and_then(|c| c.get("root_module"));
    if let Some(changes) = plan.get("resource_changes").and_then(Value::as_array) {
        for (i, change) in changes.iter().enumerate() {
            let actions: Vec<&str> = change
                .pointer("/change/actions")
                .and_then(Value::as_array)
                .map(|a| a.iter().filter_map(Value::as_str).collect())
                .unwrap_or_default();
            // What the plan deletes or forgets is not in the estate after apply.
            if !actions.is_empty() && actions.iter().all(|a| *a == "delete" || *a == "forget") {
                continue;
            }
            if change.get("deposed").is_some() {
                continue;
            }
            let values = change.pointer("/change/after").unwrap_or(&NULL);
            if !values.is_object() {
                continue;
            }
            out.push(instance(
                change,
                values,
                change.pointer("/change/after_unknown").unwrap_or(&FALSE),
                format!("/resource_changes/{i}/change/after"),
                configuration,
            ));
        }
    }
    // Data sources read during planning and resources without changes of older formats are only
    // in the values representations.
    let mut seen: std::collections::BTreeSet<String> = out.iter().map(|i| i.address.clone()).collect();
    for (root, base) in [
        (plan.pointer("/planned_values/root_module"), "/planned_values/root_module"),
        (plan.pointer("/prior_state/values/root_module"), "/prior_state/values/root_module"),
        (plan.pointer("/values/root_module"), "/values/root_module"),
    ] {
        if let Some(root) = root {
            walk_module(root, base, configuration, &mut seen, &mut out);
        }
    }
    out
}

fn walk_module<'p>(
    module: &'p Value,
    base: &str,
    configuration: Option<&'p Value>,
    seen: &mut std::collections::BTreeSet<String>,
    out: &mut Vec<Instance<'p>>,
) {
    for (i, resource) in module.get("resources").and_then(Value::as_array).into_iter().flatten().enumerate() {
        let Some(address) = resource.get("address").and_then(Value::as_str) else { continue };
        if !seen.insert(address.to_string()) {
            continue;
        }
        let values = resource.get("values").unwrap_or(&NULL);
        if values.is_object() {
            out.push(instance(resource, values, &FALSE, format!("{base}/resources/{i}/values"), configuration));
        }
    }
    for (i, child) in module.get("child_modules").and_then(Value::as_array).into_iter().flatten().enumerate() {
        walk_module(child, &format!("{base}/child_modules/{i}"), configuration, seen, out);
    }
}

fn instance<'p>(
    entry: &'p Value,
    values: &'p Value,
    unknown: &'p Value,
    pointer: String,
    configuration: Option<&'p Value>,
) -> Instance<'p> {
    let text = |k: &str| entry.get(k).and_then(Value::as_str).unwrap_or("");
    let address = text("address").to_string();
    let module = match entry.get("module_address").and_then(Value::as_str) {
        Some(m) => m.to_string(),
        None => module_of(&address),
    };
    let mode = if text("mode").is_empty() { "managed" } else { text("mode") };
    let config = configuration.and_then(|root| config_resource(root, &module, mode, text("type"), text("name")));
    Instance {
        address,
        module,
        mode,
        kind: text("type"),
        values,
        unknown,
        pointer,
        expressions: config.and_then(|c| c.get("expressions")),
        depends_on: config
            .and_then(|c| c.get("depends_on"))
            .and_then(Value::as_array)
            .map(|d| d.iter().filter_map(Value::as_str).map(str::to_string).collect())
            .unwrap_or_default(),
    }
}

/// The module part of an instance address: `module.a["x"].module.b` of `module.a["x"].module.b.azurerm_subnet.s`.
pub fn module_of(address: &str) -> String {
    let parts = split_address(address);
    let mut module = Vec::new();
    let mut i = 0;
    while i + 1 < parts.len() && parts[i] == "module" {
        module.push(format!("module.{}", parts[i + 1]));
        i += 2;
    }
    module.join(".")
}

/// Splits an address on dots outside brackets: `module.a["x.y"].b` → `module`, `a["x.y"]`, `b`.
pub fn split_address(address: &str) -> Vec<String> {
    let mut parts = Vec::new();
    let mut current = String::new();
    let mut depth = 0;
    let mut quoted = false;
    for c in address.chars() {
        match c {
            '"' => quoted = !quoted,
            '[' if !quoted => depth += 1,
            ']' if !quoted => depth -= 1,
            '.' if depth == 0 && !quoted => {
                parts.push(std::mem::take(&mut current));
                continue;
            }
            _ => {}
        }
        current.push(c);
    }
    parts.push(current);
    parts
}

/// Removes instance keys: `module.a["x"]` → `module.a`.
pub fn strip_keys(address: &str) -> String {
    split_address(address).iter().map(|p| p.split('[').next().unwrap_or("")).collect::<Vec<_>>().join(".")
}

/// The configuration module for a module instance address, found through `module_calls`.
pub fn config_module<'p>(root: &'p Value, module: &str) -> Option<&'p Value> {
    let mut current = root;
    let parts = split_address(&strip_keys(module));
    for pair in parts.chunks(2).filter(|p| p.len() == 2 && p[0] == "module") {
        current = current.get("module_calls")?.get(&pair[1])?.get("module")?;
    }
    Some(current)
}

fn config_resource<'p>(root: &'p Value, module: &str, mode: &str, kind: &str, name: &str) -> Option<&'p Value> {
    let module = config_module(root, module)?;
    module.get("resources")?.as_array()?.iter().find(|r| {
        r.get("type").and_then(Value::as_str) == Some(kind)
            && r.get("name").and_then(Value::as_str) == Some(name)
            && r.get("mode").and_then(Value::as_str).unwrap_or("managed") == mode
    })
}

/// Instances by address, and by address without instance keys when that names one instance.
pub struct Index<'i, 'p> {
    by_address: BTreeMap<String, &'i Instance<'p>>,
}

impl<'i, 'p> Index<'i, 'p> {
    pub fn new(instances: &'i [Instance<'p>]) -> Self {
        let mut by_address: BTreeMap<String, &'i Instance<'p>> = BTreeMap::new();
        let mut keyless: BTreeMap<String, Vec<&'i Instance<'p>>> = BTreeMap::new();
        for i in instances {
            by_address.insert(i.address.clone(), i);
            keyless.entry(strip_last_key(&i.address)).or_default().push(i);
        }
        for (address, list) in keyless {
            if let [only] = list.as_slice() {
                by_address.entry(address).or_insert(only);
            }
        }
        Index { by_address }
    }

    pub fn get(&self, address: &str) -> Option<&'i Instance<'p>> {
        self.by_address.get(address).copied()
    }
}

/// `azurerm_subnet.s["a"]` → `azurerm_subnet.s`; module keys stay.
fn strip_last_key(address: &str) -> String {
    let mut parts = split_address(address);
    if let Some(last) = parts.last_mut() {
        if let Some(at) = last.find('[') {
            last.truncate(at);
        }
    }
    parts.join(".")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn addresses_split_outside_brackets() {
        assert_eq!(
            split_address(r#"module.a["x.y"].azurerm_subnet.s[0]"#),
            vec!["module", r#"a["x.y"]"#, "azurerm_subnet", "s[0]"]
        );
        assert_eq!(
            module_of(r#"module.a["k"].module.b.azurerm_subnet.s"#),
            r#"module.a.module.b"#.replace("module.a", r#"module.a["k"]"#)
        );
        assert_eq!(strip_keys(r#"module.a["k"].module.b"#), "module.a.module.b");
    }
}
