//! Key Vault references in app settings, resolved as App Service resolves them (azure-semantics
//! §7): the syntax, the identity (`keyVaultReferenceIdentity`), the network path — first the public
//! route, then, for a VNet-integrated app whose vault refuses public traffic, a retry through the
//! VNet (Linux apps reach a vault's private endpoint that way only with route-all) — the vault's
//! authorization and the secret's existence, with App Service's status vocabulary.

use super::grants::authorize;
use super::sign_in::{principal_for_references, PrincipalError};
use super::{AccessVerdict, Cause};
use crate::catalog::{self, Cloud, NameHints};
use crate::dns::Resolver;
use crate::path::{DecidedBy, FlowVerdict, Step};
use crate::trace::trace_host;
use privlink_model::{arm_type, Backend, BackendKind, Model, PublicNetworkAccess, Site};
use serde::Serialize;

/// A parsed `@Microsoft.KeyVault(...)` reference.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Reference {
    pub vault: String,
    pub secret: String,
    pub version: Option<String>,
}

/// What a setting's value is.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Parsed {
    /// Not a reference: the value is passed through.
    NotAReference,
    /// Starts like a reference but does not parse: App Service passes the literal string on.
    InvalidSyntax(String),
    Reference(Reference),
}

/// Parses a setting value (§7.1).
pub fn parse(value: &str) -> Parsed {
    let trimmed = value.trim();
    let Some(rest) = trimmed.strip_prefix(catalog::KEY_VAULT_REFERENCE_PREFIX) else {
        return Parsed::NotAReference;
    };
    let Some(inner) = rest.strip_suffix(')') else {
        return Parsed::InvalidSyntax("the reference does not end with ')'".into());
    };
    let (mut uri, mut vault, mut secret, mut version) = (None, None, None, None);
    for part in inner.split(';').filter(|p| !p.trim().is_empty()) {
        let Some((key, value)) = part.split_once('=') else {
            return Parsed::InvalidSyntax(format!("'{part}' is not Key=Value"));
        };
        let value = value.trim().to_string();
        match key.trim().to_ascii_lowercase().as_str() {
            "secreturi" => uri = Some(value),
            "vaultname" => vault = Some(value),
            "secretname" => secret = Some(value),
            "secretversion" => version = Some(value),
            other => return Parsed::InvalidSyntax(format!("unknown key '{other}'")),
        }
    }
    if let Some(uri) = uri {
        let Some(rest) = uri.strip_prefix("https://") else {
            return Parsed::InvalidSyntax("SecretUri is not an https URI".into());
        };
        let mut parts = rest.trim_end_matches('/').split('/');
        let host = parts.next().unwrap_or_default();
        let (kind, name, version) = (parts.next(), parts.next(), parts.next());
        let vault = host.split('.').next().unwrap_or_default();
        if vault.is_empty()
            || !kind.is_some_and(|k| k.eq_ignore_ascii_case("secrets"))
            || name.is_none_or(str::is_empty)
        {
            return Parsed::InvalidSyntax(
                "SecretUri is not https://{vault}.vault.azure.net/secrets/{name}[/{version}]".into(),
            );
        }
        return Parsed::Reference(Reference {
            vault: vault.to_string(),
            secret: name.unwrap_or_default().to_string(),
            version: version.map(str::to_string),
        });
    }
    match (vault, secret) {
        (Some(vault), Some(secret)) if !vault.is_empty() && !secret.is_empty() => {
            Parsed::Reference(Reference { vault, secret, version: version.filter(|v| !v.is_empty()) })
        }
        _ => Parsed::InvalidSyntax("a reference needs SecretUri, or VaultName and SecretName".into()),
    }
}

/// How App Service's resolution of one reference ends.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Resolution {
    /// App Service's `ResolveStatus` (`Resolved`, `MSINotEnabled`, `AccessToKeyVaultDenied`, …), or
    /// `Indeterminate` (privlink's own) where the estate cannot tell.
    pub status: &'static str,
    pub vault: Option<String>,
    pub secret: Option<String>,
    pub version: Option<String>,
    /// The identity used: `system-assigned` or the user-assigned identity's id.
    pub identity: Option<String>,
    pub details: String,
    /// What decided the outcome (for a failure: the resource to change).
    pub decided_by: Option<DecidedBy>,
    /// Modelling choices the status rests on (`access::assumptions`).
    pub assumptions: Vec<&'static str>,
    /// The object id of the identity used, when known.
    pub principal: Option<String>,
    /// What to try next when the reference does not resolve: a command, or what to look at.
    pub next_step: Option<String>,
    /// For a failure of identity or authorization: why, typed (see [`Cause`]); `None` for the
    /// network, the syntax and the secret.
    #[serde(skip)]
    pub cause: Option<Cause>,
}

impl Resolution {
    /// Whether the app receives the secret's value rather than the literal reference.
    pub fn resolved(&self) -> bool {
        self.status == "Resolved"
    }
}

fn vault_named<'m>(model: &'m Model, name: &str) -> Option<&'m Backend> {
    model
        .indexes
        .backends_by_name
        .get(&name.to_ascii_lowercase())
        .into_iter()
        .flatten()
        .filter_map(|id| model.resources.backends.get(id))
        .find(|b| b.kind == BackendKind::KeyVault)
}

/// Whether the vault takes the platform's public-route attempt (§7.4): public access on and no
/// firewall default-deny.
fn accepts_public_attempt(vault: &Backend) -> bool {
    let public_on =
        !matches!(vault.public_network_access, PublicNetworkAccess::Disabled | PublicNetworkAccess::SecuredByPerimeter);
    public_on && !vault.network_acls.as_ref().is_some_and(|a| a.denies_by_default())
}

/// Resolves one setting value for `site`; `None` when the value is not a reference.
pub fn resolve(model: &Model, resolver: &Resolver, site: &Site, value: &str) -> Option<Resolution> {
    let reference = match parse(value) {
        Parsed::NotAReference => return None,
        Parsed::InvalidSyntax(why) => {
            return Some(Resolution {
                status: "InvalidSyntax",
                vault: None,
                secret: None,
                version: None,
                identity: None,
                details: format!("not a valid Key Vault reference ({why}): the app receives the literal string"),
                decided_by: Some(DecidedBy::new(
                    "site-setting",
                    site.app_settings_source.as_ref().unwrap_or(&site.meta.id),
                )),
                assumptions: vec![],
                principal: None,
                next_step: Some(
                    "write the value as @Microsoft.KeyVault(SecretUri=https://{vault}.vault.azure.net/secrets/{name}) or @Microsoft.KeyVault(VaultName={vault};SecretName={name})".into(),
                ),
                cause: None,
            });
        }
        Parsed::Reference(r) => r,
    };
    let mut out = Resolution {
        status: "Resolved",
        vault: Some(reference.vault.clone()),
        secret: Some(reference.secret.clone()),
        version: reference.version.clone(),
        identity: None,
        details: String::new(),
        decided_by: None,
        assumptions: vec!["I2", "I8", "I9"],
        principal: None,
        next_step: None,
        cause: None,
    };
    let app =
        format!("--resource-group {} --name {}", site.meta.id.resource_group().unwrap_or_default(), site.meta.name);
    let fail = |mut out: Resolution, status: &'static str, details: String, by: Option<DecidedBy>, next: String| {
        out.status = status;
        out.next_step = Some(next);
        out.details = details;
        out.decided_by = by;
        out.assumptions.sort_unstable();
        out.assumptions.dedup();
        Some(out)
    };
    let principal = match principal_for_references(model, site) {
        Ok(p) => p,
        Err(e) => {
            let audience = catalog::entries_for_type(arm_type::KEY_VAULTS)
                .find_map(|e| e.entra_audience(Cloud::Public))
                .unwrap_or_default();
            let details = e.message(audience);
            let next = match &e {
                PrincipalError::IdentityNotAssigned { identity, .. } => {
                    format!("az webapp identity assign {app} --identities {identity}")
                }
                PrincipalError::IdentityNotEnabled { .. } => format!("az webapp identity assign {app}"),
            };
            let by = Some(DecidedBy::new("site", e.site()));
            out.cause = Some(Cause::Principal(e));
            return fail(out, "MSINotEnabled", details, by, next);
        }
    };
    out.identity = Some(principal.label());
    out.principal = principal.object_id.clone();
    let Some(vault) = vault_named(model, &reference.vault) else {
        let details =
            format!("the vault {} is not in the estate: privlink cannot tell whether it exists", reference.vault);
        let next = format!("add the vault's document to the estate (az keyvault show --name {})", reference.vault);
        return fail(out, "Indeterminate", details, None, next);
    };
    let hints = NameHints::default();
    let host = catalog::customer_fqdns(Cloud::Public, arm_type::KEY_VAULTS, &vault.meta.name, "vault", &hints)
        .into_iter()
        .next()
        .map_or_else(|| vault.meta.name.clone(), |n| n.to_string());
    let trace_it = format!("privlink trace --from {} --to {host}:443 (the hop that stops it)", site.meta.name);
    // The network: the public route first, then the VNet retry (§7.4).
    if !accepts_public_attempt(vault) {
        let integrated = site.integration_subnet.is_some();
        let route_all = crate::path::route_all_enabled(site);
        if !integrated {
            let details = format!(
                "{} refuses public traffic and the app is not VNet-integrated, so App Service cannot retry through a virtual network",
                vault.meta.name
            );
            let next = format!(
                "integrate the app with a virtual network that reaches the vault: az webapp vnet-integration add {app} --vnet VNET --subnet SUBNET"
            );
            return fail(out, "AccessToKeyVaultDenied", details, Some(DecidedBy::new("service", &vault.meta.id)), next);
        }
        let trace = trace_host(model, resolver, &site.meta.id, &host, 443);
        let through_endpoint = trace.hops.iter().any(|h| h.step == Step::PrivateLink);
        if super::runs_on_linux(model, site) && through_endpoint && !route_all {
            let details = format!(
                "{} is reached through a private endpoint and the Linux app does not route all traffic into the VNet (vnetRouteAllEnabled), which Key Vault references need",
                vault.meta.name
            );
            let next = format!("az webapp config set {app} --vnet-route-all-enabled true");
            return fail(out, "AccessToKeyVaultDenied", details, Some(DecidedBy::new("site", &site.meta.id)), next);
        }
        match trace.verdict {
            FlowVerdict::Allowed => {}
            FlowVerdict::Unknown => {
                let details = format!("through the VNet: {}", trace.message);
                return fail(out, "Indeterminate", details, trace.decided_by, trace_it);
            }
            FlowVerdict::Denied => {
                let at = trace.hops.iter().find(|h| h.verdict == FlowVerdict::Denied).map(|h| h.step);
                let status = match at {
                    Some(Step::Dns)
                        if trace.resolution.as_ref().is_some_and(|r| r.rcode == Some(crate::dns::Rcode::NxDomain)) =>
                    {
                        "VaultNotFound"
                    }
                    Some(Step::Route | Step::Nsg | Step::Egress) => "FetchTimedOut",
                    _ => "AccessToKeyVaultDenied",
                };
                return fail(out, status, format!("through the VNet: {}", trace.message), trace.decided_by, trace_it);
            }
        }
    }
    let auth = authorize(model, &principal, vault, None);
    out.assumptions.extend(auth.assumptions.iter().copied());
    out.cause = auth.cause.clone();
    match auth.verdict {
        AccessVerdict::Granted | AccessVerdict::None => {}
        AccessVerdict::Denied | AccessVerdict::Indeterminate => {
            let object_id = principal.object_id.as_deref().unwrap_or("PRINCIPAL_ID");
            let need = catalog::KEY_VAULT_SECRET_READ;
            let next = if vault.key_vault_rbac == Some(true) {
                format!(
                    "az role assignment create --assignee-object-id {object_id} --assignee-principal-type ServicePrincipal --role \"{}\" --scope {}",
                    need.suggested_role, vault.meta.id
                )
            } else {
                format!(
                    "az keyvault set-policy --name {} --object-id {object_id} --secret-permissions get",
                    vault.meta.name
                )
            };
            let status = if auth.verdict == AccessVerdict::Denied { "AccessToKeyVaultDenied" } else { "Indeterminate" };
            return fail(out, status, auth.reason, auth.decided_by, next);
        }
    }
    let secrets: Vec<_> = model
        .indexes
        .secrets_of_vault
        .get(&vault.meta.id)
        .into_iter()
        .flatten()
        .filter_map(|id| model.resources.key_vault_secrets.get(id))
        .collect();
    if secrets.is_empty() {
        out.assumptions.push("I10");
        let details = format!(
            "the estate holds no secrets of {}, so privlink cannot tell whether {} exists",
            vault.meta.name, reference.secret
        );
        let next = format!(
            "add the vault's secrets to the estate (privlink pull, or az keyvault secret list --vault-name {})",
            vault.meta.name
        );
        return fail(out, "Indeterminate", details, None, next);
    }
    let Some(secret) = secrets.iter().find(|s| s.meta.name.eq_ignore_ascii_case(&reference.secret)) else {
        let details = format!("{} has no secret named {}", vault.meta.name, reference.secret);
        let next = format!(
            "create it (az keyvault secret set --vault-name {} --name {} --value …) or correct the name in the reference",
            vault.meta.name, reference.secret
        );
        return fail(out, "SecretNotFound", details, Some(DecidedBy::new("service", &vault.meta.id)), next);
    };
    if !secret.enabled {
        let details = format!("the secret {} is disabled", reference.secret);
        let next = format!(
            "az keyvault secret set-attributes --vault-name {} --name {} --enabled true",
            vault.meta.name, reference.secret
        );
        return fail(out, "OtherReasons", details, Some(DecidedBy::new("secret", &secret.meta.id)), next);
    }
    if let Some(v) = &reference.version {
        // ARM shows a secret's current version only (`secretUriWithVersion`): an older version's
        // existence is not visible, nor any version's when the document does not say (I10).
        if secret.version.as_deref().is_none_or(|cur| !cur.eq_ignore_ascii_case(v)) {
            out.assumptions.push("I10");
            let shown = secret.version.as_deref().map_or_else(
                || "the estate does not show its current version".to_string(),
                |cur| format!("ARM shows only its current version {cur}"),
            );
            let details = format!("whether version {v} of {} exists is not visible: {shown}", reference.secret);
            let next = format!(
                "check the version: az keyvault secret show --vault-name {} --name {} --version {v}",
                vault.meta.name, reference.secret
            );
            return fail(out, "Indeterminate", details, None, next);
        }
    }
    out.details = format!("{} resolves with the {} identity", reference.secret, principal.label());
    out.decided_by = auth.decided_by;
    out.assumptions.sort_unstable();
    out.assumptions.dedup();
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn both_reference_forms_parse_and_malformed_ones_are_invalid_syntax() {
        let uri = parse("@Microsoft.KeyVault(SecretUri=https://kv1.vault.azure.net/secrets/db-pass/abc123)");
        assert_eq!(
            uri,
            Parsed::Reference(Reference {
                vault: "kv1".into(),
                secret: "db-pass".into(),
                version: Some("abc123".into())
            })
        );
        let named = parse("@Microsoft.KeyVault(VaultName=kv1;SecretName=db-pass)");
        assert_eq!(
            named,
            Parsed::Reference(Reference { vault: "kv1".into(), secret: "db-pass".into(), version: None })
        );
        assert_eq!(parse("plain value"), Parsed::NotAReference);
        assert!(matches!(parse("@Microsoft.KeyVault(VaultName=kv1)"), Parsed::InvalidSyntax(_)));
        assert!(matches!(
            parse("@Microsoft.KeyVault(SecretUri=https://kv1.vault.azure.net/keys/k)"),
            Parsed::InvalidSyntax(_)
        ));
        assert!(matches!(
            parse("@Microsoft.KeyVault(SecretUri=https://kv1.vault.azure.net/secrets/x"),
            Parsed::InvalidSyntax(_)
        ));
    }
}
