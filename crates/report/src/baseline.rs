//! `privlink check --baseline FILE`: what an earlier `privlink check --format json` or `--format
//! sarif` reported, read back as fingerprints, so that a run reports only the findings that are
//! new. A team adopts privlink on an estate that already has findings by writing a baseline once;
//! from then on the gate fails only on what a change adds.
//!
//! Findings are matched by [`privlink_rules::fingerprint`] (code, resource without case, message);
//! load diagnostics by [`crate::findings::diagnostic_fingerprint`] (code, `file#pointer`, message).

use crate::findings::diagnostic_fingerprint_of;
use privlink_rules::{fingerprint, Finding};
use serde::Serialize;
use serde_json::Value;
use std::collections::{BTreeMap, HashSet};
use std::fmt;

/// The SARIF partial fingerprint privlink writes and reads back (`partialFingerprints`).
pub const SARIF_FINGERPRINT: &str = "privlink/v1";

/// What a baseline file holds.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Baseline {
    /// The file as the user named it, for messages.
    pub file: String,
    /// Each finding's fingerprint and its rule's code ("" where the file gives only the
    /// fingerprint), so a finding of a rule this run did not select is not counted as fixed.
    pub findings: BTreeMap<String, String>,
    /// The fingerprints of the load diagnostics the file holds.
    pub diagnostics: HashSet<String>,
    /// The file is itself the output of a run with `--baseline`: it holds only what was new then.
    pub written_with_a_baseline: bool,
}

/// A baseline that cannot be used: the file is not JSON, or not what `check` writes. Names the
/// file, and the line and column or the JSON pointer of what is wrong.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BaselineError {
    pub file: String,
    pub line: Option<usize>,
    pub column: Option<usize>,
    pub message: String,
}

impl fmt::Display for BaselineError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match (self.line, self.column) {
            (Some(l), Some(c)) => write!(f, "baseline {}:{l}:{c}: {}", self.file, self.message),
            _ => write!(f, "baseline {}: {}", self.file, self.message),
        }
    }
}

impl std::error::Error for BaselineError {}

/// How this run's findings compare with the baseline: what JSON output carries as `"baseline"`
/// and text output's last line says.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Comparison {
    pub file: String,
    /// Findings of this run the baseline holds: not shown.
    pub known: usize,
    /// Findings of this run the baseline does not hold: the ones shown.
    pub new: usize,
    /// Findings of the baseline (of the rules this run ran) that no longer occur.
    pub fixed: usize,
}

impl Comparison {
    /// The line text output ends with.
    pub fn text_line(&self) -> String {
        let mut line = match self.known {
            1 => format!("1 finding known in the baseline {} is not shown", self.file),
            n => format!("{n} findings known in the baseline {} are not shown", self.file),
        };
        match self.fixed {
            0 => {}
            1 => line.push_str("; 1 of its findings no longer occurs"),
            n => line.push_str(&format!("; {n} of its findings no longer occur")),
        }
        line.push('\n');
        line
    }
}

impl Baseline {
    /// Reads a baseline from the bytes of `file`: check JSON (an object with `"findings"`) or SARIF
    /// (an object with `"runs"`), told apart by content.
    pub fn parse(file: &str, bytes: &[u8]) -> Result<Baseline, BaselineError> {
        let error = |message: String| BaselineError { file: file.to_string(), line: None, column: None, message };
        if bytes.starts_with(b"\xFF\xFE") || bytes.starts_with(b"\xFE\xFF") {
            // Windows PowerShell's `>` writes UTF-16.
            return Err(error("the file is UTF-16; write the baseline as UTF-8 (in PowerShell: `privlink check --format json | Out-File -Encoding utf8 FILE`)".into()));
        }
        let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
        let value: Value = serde_json::from_slice(bytes).map_err(|e| {
            let what = match e.classify() {
                serde_json::error::Category::Eof => "the JSON ends early (empty or truncated file?)",
                _ => "this is not valid JSON",
            };
            let detail = e.to_string();
            // serde_json appends " at line L column C"; the position is reported in front.
            let detail = detail.split(" at line ").next().unwrap_or(&detail).to_string();
            BaselineError {
                file: file.to_string(),
                line: Some(e.line()),
                column: Some(e.column()),
                message: format!("{what}: {detail}; {EXPECTED}"),
            }
        })?;
        let mut baseline = Baseline { file: file.to_string(), ..Baseline::default() };
        let read = if value.get("runs").is_some() {
            baseline.read_sarif(&value)
        } else if value.get("findings").is_some() {
            baseline.read_check_json(&value)
        } else {
            Err(format!("neither \"findings\" nor \"runs\" at the top level; {EXPECTED}"))
        };
        read.map_err(error)?;
        Ok(baseline)
    }

    fn read_check_json(&mut self, report: &Value) -> Result<(), String> {
        let findings = report["findings"].as_array().ok_or("/findings: expected an array")?;
        for (i, f) in findings.iter().enumerate() {
            let part = |key: &str| f.get(key).and_then(Value::as_str);
            let print = match (part("code"), part("resource"), part("message"), part("fingerprint")) {
                (Some(code), Some(resource), Some(message), _) => fingerprint(code, resource, message),
                (_, _, _, Some(print)) => print.to_string(),
                _ => {
                    return Err(format!(
                        "/findings/{i}: a finding needs the strings \"code\", \"resource\" and \"message\", or a \"fingerprint\""
                    ))
                }
            };
            self.findings.insert(print, part("code").unwrap_or("").to_string());
        }
        if let Some(diagnostics) = report.get("diagnostics") {
            let diagnostics = diagnostics.as_array().ok_or("/diagnostics: expected an array")?;
            for (i, d) in diagnostics.iter().enumerate() {
                let part = |key: &str| d.get(key).and_then(Value::as_str);
                let print = match (part("code"), part("file"), part("message"), part("fingerprint")) {
                    (Some(code), Some(file), Some(message), _) => {
                        diagnostic_fingerprint_of(code, file, part("pointer").unwrap_or(""), message)
                    }
                    (_, _, _, Some(print)) => print.to_string(),
                    _ => {
                        return Err(format!(
                            "/diagnostics/{i}: a load diagnostic needs the strings \"code\", \"file\" and \"message\", or a \"fingerprint\""
                        ))
                    }
                };
                self.diagnostics.insert(print);
            }
        }
        self.written_with_a_baseline = report.get("baseline").is_some();
        Ok(())
    }

    fn read_sarif(&mut self, sarif: &Value) -> Result<(), String> {
        let runs = sarif["runs"].as_array().ok_or("/runs: expected an array")?;
        for (r, run) in runs.iter().enumerate() {
            // SARIF leaves `results` out (or null) for a run that did not complete.
            let Some(results) = run.get("results").filter(|v| !v.is_null()) else { continue };
            let results = results.as_array().ok_or_else(|| format!("/runs/{r}/results: expected an array"))?;
            for (i, result) in results.iter().enumerate() {
                let state = result.get("baselineState").and_then(Value::as_str);
                self.written_with_a_baseline |= state.is_some();
                if state == Some("absent") {
                    // A result of the run's own baseline that no longer occurred in the run.
                    continue;
                }
                let code = result.get("ruleId").and_then(Value::as_str).unwrap_or("");
                let print =
                    match result.pointer(&format!("/partialFingerprints/{}", SARIF_FINGERPRINT.replace('/', "~1"))) {
                        Some(Value::String(print)) => Some(print.clone()),
                        _ => sarif_fingerprint(code, result),
                    };
                let Some(print) = print else {
                    return Err(format!(
                        "/runs/{r}/results/{i}: no partialFingerprints[\"{SARIF_FINGERPRINT}\"], and not the ruleId, the logical location of kind \"resource\" and the message.text to compute it from"
                    ));
                };
                if code.starts_with("LOAD") {
                    self.diagnostics.insert(print);
                } else {
                    self.findings.insert(print, code.to_string());
                }
            }
        }
        Ok(())
    }

    /// Every fingerprint the baseline holds, findings' and load diagnostics': for
    /// [`crate::findings::SarifOptions::known`].
    pub fn fingerprints(&self) -> HashSet<String> {
        self.findings.keys().cloned().chain(self.diagnostics.iter().cloned()).collect()
    }

    /// This run's findings the baseline does not hold (in their order), and the comparison.
    /// `ran` says whether a rule code ran in this run: a baseline finding of a rule that did not
    /// run is not counted as fixed.
    pub fn new_findings(&self, findings: Vec<Finding>, ran: impl Fn(&str) -> bool) -> (Vec<Finding>, Comparison) {
        let mut seen = HashSet::new();
        let (known, new): (Vec<Finding>, Vec<Finding>) = findings.into_iter().partition(|f| {
            let print = f.fingerprint();
            let known = self.findings.contains_key(&print);
            seen.insert(print);
            known
        });
        let fixed = self
            .findings
            .iter()
            .filter(|(print, code)| !seen.contains(*print) && (code.is_empty() || ran(code)))
            .count();
        let comparison = Comparison { file: self.file.clone(), known: known.len(), new: new.len(), fixed };
        (new, comparison)
    }
}

const EXPECTED: &str = "expected the output of `privlink check --format json` or `privlink check --format sarif`";

/// A SARIF result's fingerprint computed from its parts, for a file without partial fingerprints:
/// a load diagnostic's from its `properties.file` and `.pointer`, a finding's from its logical
/// location of kind `"resource"` (the ARM id; a Terraform address is named `"terraform"`).
fn sarif_fingerprint(code: &str, result: &Value) -> Option<String> {
    let message = result.pointer("/message/text")?.as_str()?;
    if code.is_empty() {
        return None;
    }
    if code.starts_with("LOAD") {
        let file = result.pointer("/properties/file")?.as_str()?;
        let pointer = result.pointer("/properties/pointer").and_then(Value::as_str).unwrap_or("");
        return Some(diagnostic_fingerprint_of(code, file, pointer, message));
    }
    let resource = result["locations"]
        .as_array()?
        .iter()
        .filter_map(|l| l["logicalLocations"].as_array())
        .flatten()
        .find(|l| l["kind"] == "resource" && l["name"] != "terraform")?["fullyQualifiedName"]
        .as_str()?;
    Some(fingerprint(code, resource, message))
}

#[cfg(test)]
mod tests {
    use super::*;

    const ID: &str = "/subscriptions/s/resourceGroups/rg/providers/Microsoft.Network/privateDnsZones/z";

    #[test]
    fn check_json_findings_are_matched_by_code_resource_and_message() {
        let json = format!(
            r#"{{"findings": [{{"code": "DNS101", "resource": "{ID}", "message": "not linked"}}, {{"fingerprint": "00000000000000aa"}}],
                "diagnostics": [{{"code": "LOAD005", "file": "a.json", "pointer": "/0", "message": "bad"}}]}}"#
        );
        let b = Baseline::parse("b.json", json.as_bytes()).unwrap();
        assert_eq!(b.findings.get(&fingerprint("DNS101", &ID.to_uppercase(), "not linked")), Some(&"DNS101".into()));
        assert!(b.findings.contains_key("00000000000000aa"));
        assert!(b.diagnostics.contains(&diagnostic_fingerprint_of("LOAD005", "a.json", "/0", "bad")));
        assert!(!b.written_with_a_baseline);
    }

    #[test]
    fn sarif_results_are_matched_by_partial_fingerprint_or_their_parts() {
        let sarif = format!(
            r#"{{"runs": [{{"results": [
                {{"ruleId": "PE101", "message": {{"text": "m"}}, "partialFingerprints": {{"privlink/v1": "00000000000000bb"}}}},
                {{"ruleId": "DNS101", "message": {{"text": "not linked"}}, "locations": [{{"logicalLocations": [
                    {{"fullyQualifiedName": "azurerm_private_dns_zone.z", "kind": "resource", "name": "terraform"}}]}}, {{"logicalLocations": [
                    {{"fullyQualifiedName": "{ID}", "kind": "resource"}}]}}]}},
                {{"ruleId": "LOAD006", "message": {{"text": "outside"}}, "properties": {{"file": "n.json", "pointer": "/1"}}}},
                {{"ruleId": "NET203", "message": {{"text": "gone"}}, "baselineState": "absent"}}
            ]}}, {{"results": null}}]}}"#
        );
        let b = Baseline::parse("b.sarif", sarif.as_bytes()).unwrap();
        let expected: BTreeMap<String, String> = [
            ("00000000000000bb".to_string(), "PE101".to_string()),
            (fingerprint("DNS101", ID, "not linked"), "DNS101".to_string()),
        ]
        .into();
        assert_eq!(b.findings, expected);
        assert!(b.diagnostics.contains(&diagnostic_fingerprint_of("LOAD006", "n.json", "/1", "outside")));
        assert!(b.written_with_a_baseline, "a result with a baselineState came from a run with a baseline");
    }

    #[test]
    fn a_baseline_that_is_not_a_check_report_names_the_file_and_place() {
        let e = Baseline::parse("b.json", b"{\n  \"findings\": [\n    {\"code\": }").unwrap_err();
        assert_eq!((e.line, e.column), (Some(3), Some(14)));
        assert!(e.to_string().starts_with("baseline b.json:3:14: this is not valid JSON"), "{e}");
        let e = Baseline::parse("b.json", b"").unwrap_err();
        assert!(e.message.contains("ends early"), "{e}");
        let e = Baseline::parse("b.json", b"{\"value\": []}").unwrap_err();
        assert!(e.to_string().contains("neither \"findings\" nor \"runs\""), "{e}");
        let e = Baseline::parse("b.json", br#"{"findings": [{"code": "DNS101"}]}"#).unwrap_err();
        assert!(e.to_string().starts_with("baseline b.json: /findings/0: a finding needs"), "{e}");
        let e = Baseline::parse("b.sarif", br#"{"runs": [{"results": [{"ruleId": "DNS101"}]}]}"#).unwrap_err();
        assert!(e.to_string().contains("/runs/0/results/0: no partialFingerprints"), "{e}");
        let e = Baseline::parse("b.json", b"\xFF\xFE{\x00}\x00").unwrap_err();
        assert!(e.to_string().contains("UTF-16"), "{e}");
    }

    #[test]
    fn only_findings_the_baseline_does_not_hold_are_new_and_unselected_rules_are_not_fixed() {
        let rule = |code: &str| privlink_rules::all_rules().iter().find(|r| r.code == code).unwrap();
        let finding = |code: &str, message: &str| {
            Finding::new(rule(code), privlink_model::ResourceId::parse(ID).unwrap(), message.to_string())
        };
        let json = format!(
            r#"{{"findings": [{{"code": "DNS101", "resource": "{}", "message": "not linked"}},
                              {{"code": "PE101", "resource": "{ID}", "message": "pending"}},
                              {{"code": "NET203", "resource": "{ID}", "message": "denied"}}]}}"#,
            ID.to_uppercase()
        );
        let b = Baseline::parse("b.json", json.as_bytes()).unwrap();
        let found =
            vec![finding("DNS101", "not linked"), finding("DNS101", "not linked to vnet-b"), finding("PE102", "x")];
        let (new, c) = b.new_findings(found, |code| code != "NET203");
        let messages: Vec<&str> = new.iter().map(|f| f.message.as_str()).collect();
        assert_eq!(messages, ["not linked to vnet-b", "x"]);
        assert_eq!(c, Comparison { file: "b.json".into(), known: 1, new: 2, fixed: 1 });
        assert_eq!(
            c.text_line(),
            "1 finding known in the baseline b.json is not shown; 1 of its findings no longer occurs\n"
        );
        let c = Comparison { known: 3, fixed: 0, ..c };
        assert_eq!(c.text_line(), "3 findings known in the baseline b.json are not shown\n");
    }
}
