//! Each troubleshooting item of the five seed recipes, mapped to the rules that catch it. Data
//! beside the code: `docs/rules.md` renders it, and a test checks every code named here exists.

/// (seed file, the seed's heading, the troubleshooting item, rule codes; empty = no rule, with why).
pub struct SeedItem {
    pub seed: &'static str,
    pub heading: &'static str,
    pub item: &'static str,
    pub codes: &'static [&'static str],
    /// Why no rule (or what else is needed) when `codes` does not tell the whole story.
    pub note: &'static str,
}

pub const SEED_ITEMS: &[SeedItem] = &[
    SeedItem { seed: "000", heading: "SQL or Redis connection timeout", item: "Review NSG rules and user-defined routes on integration subnet.", codes: &["NET203", "NET204", "NET206", "NET201", "NET200"], note: "" },
    SeedItem { seed: "000", heading: "SQL or Redis connection timeout", item: "Confirm private endpoint status is Approved.", codes: &["PE101"], note: "" },
    SeedItem { seed: "000", heading: "SQL or Redis connection timeout", item: "Confirm backend firewall allows private endpoint traffic.", codes: &[], note: "not a failure mode: traffic through an approved private endpoint passes whatever the firewall says (https://learn.microsoft.com/azure/private-link/private-endpoint-overview); a refusal on the public path is APP308's (no VNet integration), SEC404's (public access off, no private endpoint) or SEC406's (public access on, the firewall refuses the app)" },
    SeedItem { seed: "000", heading: "Hostname resolves to public IP", item: "Check private DNS zone links to the integration VNet.", codes: &["DNS101", "DNS105"], note: "" },
    SeedItem { seed: "000", heading: "Hostname resolves to public IP", item: "Verify no custom DNS server is overriding private zone resolution.", codes: &["DNS109", "DNS107"], note: "" },
    SeedItem { seed: "000", heading: "Managed identity auth failure", item: "Verify system-assigned identity is enabled on the web app.", codes: &["IAM501", "IAM504"], note: "IAM504 when a setting names a user-assigned identity the app does not have" },
    SeedItem { seed: "000", heading: "Managed identity auth failure", item: "Confirm SQL permissions for managed identity principal and Key Vault access policy or RBAC.", codes: &["IAM502", "IAM503", "IAM505", "IAM508", "IAM500"], note: "SQL database users live in the database, not in ARM: IAM508 checks them only where the estate declares them (`Privlink.Declarations/sqlContainedUsers`); an estate without role assignments gets IAM500's note instead of a verdict" },
    SeedItem { seed: "001", heading: "App cannot reach private backend", item: "Validate NSG and route table configuration for integration subnet.", codes: &["NET203", "NET204", "NET206", "NET201", "NET200"], note: "" },
    SeedItem { seed: "001", heading: "App cannot reach private backend", item: "Confirm private endpoints are approved and healthy.", codes: &["PE101", "PE103", "NET205"], note: "" },
    SeedItem { seed: "001", heading: "App cannot reach private backend", item: "Verify backend firewall and private access policy configuration.", codes: &["SEC401", "APP308", "SEC404", "SEC406", "SEC405"], note: "" },
    SeedItem { seed: "001", heading: "DNS still resolves public addresses", item: "Check private DNS zone links to VNet.", codes: &["DNS101", "DNS102", "DNS104"], note: "" },
    SeedItem { seed: "001", heading: "DNS still resolves public addresses", item: "Validate custom DNS forwarders if you use enterprise DNS.", codes: &["DNS109", "DNS110", "DNS111"], note: "" },
    SeedItem { seed: "001", heading: "Connectivity broke after route-all", item: "Verify required Azure destinations remain reachable via your egress path.", codes: &["NET203", "NET204", "NET206"], note: "" },
    SeedItem { seed: "001", heading: "Connectivity broke after route-all", item: "Re-test with route-all disabled to isolate routing policy impact.", codes: &["APP307"], note: "route-all is required, not optional, for Linux Key Vault references through a private endpoint" },
    SeedItem { seed: "002", heading: "Key Vault references through shared networking", item: "HTTP 500 after public access is disabled: the app lost its connection to the service or its Key Vault references.", codes: &["APP307", "DNS101", "DNS102", "IAM507"], note: "a reference that fails for identity or authorization is IAM501–IAM503's; one that fails otherwise (syntax, a missing or disabled secret) IAM507's" },
    SeedItem { seed: "003", heading: "Common Problems With Private Endpoints", item: "DNS misconfiguration: timeouts, certificate errors, unexpected public routing.", codes: &["DNS101", "DNS102", "DNS104", "DNS105", "DNS108"], note: "`trace` names the DNS setting as the change to make when a name went public although the app reaches its private endpoint" },
    SeedItem { seed: "003", heading: "Common Problems With Private Endpoints", item: "Broken hybrid connectivity: on-premises systems cannot resolve Azure private DNS without forwarding.", codes: &["DNS109", "DNS110", "DNS111"], note: "a DNS server the estate's VNets or apps use is DNS109's (DNS110 a firewall whose proxy is off, DNS111 one a query cannot reach); what an on-premises client gets through its forwarder (a resolver inbound endpoint, a firewall's DNS proxy, a public resolver) is `privlink resolve NAME --from dns:IP`" },
    SeedItem { seed: "003", heading: "Common Problems With Private Endpoints", item: "Service dependencies: some services need further endpoints or supporting services.", codes: &["NET200"], note: "each dependency an app names or can reach is traced; one that is not allowed and that no specific rule explains is NET200's" },
    SeedItem { seed: "003", heading: "Common Problems With Private Endpoints", item: "Incorrect firewall expectations: disabling public access too early breaks clients whose DNS or routing is incomplete.", codes: &["APP308", "SEC404", "SEC406", "DNS101", "DNS102", "DNS105", "PE101", "NET200"], note: "" },
    SeedItem { seed: "003", heading: "Private Link vs Service Endpoints", item: "Service endpoints extend the VNet's identity to the service's public endpoint; private endpoints give it a private address.", codes: &["SEC405", "APP308"], note: "a virtual network rule admits only its subnet's service-endpoint traffic: SEC405 reports a rule whose subnet lacks the endpoint, APP308 an app outside every VNet that such a backend refuses; `trace` names the rule that admitted or the missing endpoint" },
    SeedItem { seed: "003", heading: "Common Problems With Private Endpoints", item: "Subnet design issues.", codes: &["APP301", "APP302", "PE102", "PE104"], note: "" },
    SeedItem { seed: "004", heading: "Troubleshooting", item: "Login failed for user '<token-identified principal>'.", codes: &["IAM508", "IAM505", "IAM501"], note: "the database's users and roles live in the database, not in ARM: IAM508 checks a declared user list (`Privlink.Declarations/sqlContainedUsers`); without one the access step is undecided" },
    SeedItem { seed: "004", heading: "Troubleshooting", item: "ODBC Driver 18 not found.", codes: &[], note: "the container image's contents are not in ARM: no document says which drivers an image holds" },
    SeedItem { seed: "004", heading: "Troubleshooting", item: "Connection timeout: validate SQL firewall rules, VNet integration, DNS, and private endpoint routing.", codes: &["DNS101", "DNS102", "NET203", "NET204", "NET205", "PE101", "APP301", "APP308", "SEC406", "NET200"], note: "" },
];
