//! What each load diagnostic code means, for `privlink check`'s SARIF rule descriptors and text:
//! the loader emits the codes, this table names them. A test (`tests/load_codes.rs`) fails when
//! the loader emits a code that is not here, or this table lists one nobody emits.

use privlink_rules::Severity;

/// A load diagnostic code described like a rule: a code, a short name and what it means.
pub struct LoadCode {
    pub code: &'static str,
    pub name: &'static str,
    /// The severity the loader gives it most often (LOAD012 is a warning for an unknown record type).
    pub severity: Severity,
    pub summary: &'static str,
}

const fn code(code: &'static str, name: &'static str, severity: Severity, summary: &'static str) -> LoadCode {
    LoadCode { code, name, severity, summary }
}

pub const LOAD_CODES: &[LoadCode] = &[
    code("LOAD002", "not-a-resource", Severity::Error, "The input, or an element of it, is not an ARM resource document; it is skipped."),
    code("LOAD003", "invalid-resource-id", Severity::Error, "A resource id, the document's own or a reference, is not a valid ARM id; it is skipped."),
    code("LOAD004", "duplicate-resource", Severity::Warning, "The same resource id is defined twice with different content; the first definition is used."),
    code("LOAD005", "invalid-prefix", Severity::Error, "An address prefix is not valid CIDR or has host bits set, or an NSG address is neither an address, a prefix nor a service tag; it is ignored."),
    code("LOAD006", "subnet-outside-vnet", Severity::Error, "A subnet prefix lies outside the address space of its VNet; Azure refuses such a subnet."),
    code("LOAD007", "missing-field", Severity::Error, "A required field is missing: a resource's id, an inline child's id or name, or a property the model needs."),
    code("LOAD008", "wrong-json-type", Severity::Error, "A field has the wrong JSON type, such as a string where an object or a port is expected."),
    code("LOAD009", "reference-not-in-estate", Severity::Info, "A reference names a resource that is not in the estate; privlink treats it as unknown."),
    code("LOAD010", "invalid-ip-address", Severity::Error, "A field that holds an IP address does not hold a valid one."),
    code("LOAD011", "invalid-dns-name", Severity::Error, "A DNS name breaks the label rules; the record or zone is skipped."),
    code("LOAD012", "invalid-value", Severity::Error, "A field holds a value Azure does not accept, such as an unknown NSG direction, access, protocol, next hop type or resolution policy."),
    code("LOAD013", "parameters-file", Severity::Error, "A deployment parameters file was given as an estate; pass it with --parameters next to its template."),
    code("LOAD014", "type-mismatch", Severity::Warning, "The document's \"type\" disagrees with the type its id names; the id is used."),
    // LOAD015 (documents unreadable as a whole) is retired: such input is an error naming the file
    // and place, and a code is never reused.
    code("LOAD016", "deploy-time-value", Severity::Info, "A template value is only known at deploy time; privlink leaves it out."),
    code("LOAD017", "template-warning", Severity::Warning, "Evaluating a deployment template needed an approximation, which the message names."),
    code("LOAD018", "deployment-would-fail", Severity::Error, "Azure would refuse a write the template makes; the resource stays as the template wrote it."),
    code("LOAD019", "terraform-subscription-assumed", Severity::Info, "A Terraform plan names no subscription (no azurerm subscription_id, no known id); the ids privlink builds use --subscription."),
    code("LOAD020", "terraform-type-not-mapped", Severity::Info, "A Terraform plan has azurerm resources of a type privlink does not map to ARM documents; they are counted and left out."),
    code("LOAD021", "terraform-conflicting-spellings", Severity::Warning, "Two azurerm spellings of one setting (renamed between provider versions) disagree in a plan; the newest spelling is used."),
];

/// The table entry for a code, if the loader's code is in the table.
pub fn load_code(code: &str) -> Option<&'static LoadCode> {
    LOAD_CODES.iter().find(|c| c.code == code)
}
