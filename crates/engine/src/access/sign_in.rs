//! Which sign-in an app uses for a service and which principal it signs in as (assumptions I1, I2).

use privlink_model::{Backend, BackendKind, Model, ResourceId, Site};

/// How the app authenticates to a service.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum SignIn {
    /// With an Entra token from its managed identity.
    Entra,
    /// With a key or password; the reason says which setting or why.
    Key(String),
}

/// The identity an app signs in as.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Principal {
    /// `None`: the system-assigned identity; else the user-assigned identity's id.
    pub user_assigned: Option<ResourceId>,
    /// The object id, when the estate knows it (a template may give it only after deployment).
    pub object_id: Option<String>,
    pub tenant_id: Option<String>,
    /// The display name Entra gives the identity: the site's name, or the identity's name.
    pub display_name: String,
}

impl Principal {
    /// `system-assigned` or the user-assigned identity's id.
    pub fn label(&self) -> String {
        self.user_assigned.as_ref().map_or_else(|| "system-assigned".to_string(), ResourceId::to_string)
    }
}

/// Why the platform would not issue a token.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum PrincipalError {
    /// The site has no system-assigned identity (and names no user-assigned one).
    IdentityNotEnabled { site: ResourceId },
    /// A setting or `keyVaultReferenceIdentity` names a user-assigned identity the site does not have.
    IdentityNotAssigned { site: ResourceId, identity: String, setting: &'static str },
}

impl PrincipalError {
    pub fn message(&self, audience: &str) -> String {
        match self {
            PrincipalError::IdentityNotEnabled { .. } => format!(
                "the app has no managed identity: App Service issues no token for {audience} (enable the system-assigned identity)"
            ),
            PrincipalError::IdentityNotAssigned { identity, setting, .. } => format!(
                "{setting} names the identity {identity}, which is not assigned to the app: App Service issues no token for {audience}"
            ),
        }
    }

    /// The resource to change.
    pub fn site(&self) -> &ResourceId {
        match self {
            PrincipalError::IdentityNotEnabled { site } | PrincipalError::IdentityNotAssigned { site, .. } => site,
        }
    }

    pub(crate) fn decided_by_kind(&self) -> &'static str {
        match self {
            PrincipalError::IdentityNotEnabled { .. } => "site",
            PrincipalError::IdentityNotAssigned { .. } => "site-setting",
        }
    }
}

/// Words in setting names that hold a credential, and words that tie a setting to a service.
const CREDENTIAL_WORDS: &[&str] = &["KEY", "PASSWORD", "PWD", "SECRET", "ACCESSKEY", "CONNECTION_STRING", "CONNSTR"];

fn service_words(kind: &BackendKind) -> &'static [&'static str] {
    match kind {
        BackendKind::SqlServer => &["SQL", "DATABASE", "DB_"],
        BackendKind::Redis => &["REDIS", "CACHE"],
        BackendKind::CognitiveServices => &["OPENAI", "COGNITIVE", "CS_", "LANGUAGE", "AI_"],
        BackendKind::Storage => &["STORAGE", "BLOB"],
        BackendKind::KeyVault | BackendKind::Other(_) => &[],
    }
}

/// The app setting or connection string that gives the app a key or password for `backend` (I1).
fn credential_setting(site: &Site, backend: &Backend) -> Option<String> {
    let words = service_words(&backend.kind);
    for name in site.app_settings.keys() {
        let upper = name.to_ascii_uppercase();
        if words.iter().any(|w| upper.contains(w)) && CREDENTIAL_WORDS.iter().any(|w| upper.contains(w)) {
            return Some(format!("app setting {name}"));
        }
    }
    for (name, cs) in &site.connection_strings {
        let lower = cs.value.to_ascii_lowercase();
        let names_it = backend.declared_hosts.iter().any(|h| lower.contains(h.as_str()))
            || lower.contains(&backend.meta.name.to_ascii_lowercase());
        let has_secret =
            ["password=", "pwd=", "accountkey=", "sharedaccesskey=", "key="].iter().any(|k| lower.contains(k));
        if names_it && has_secret {
            return Some(format!("connection string {name}"));
        }
    }
    None
}

/// How `site` signs in to `backend` (assumption I1).
pub fn sign_in(site: &Site, backend: &Backend) -> SignIn {
    let entra_only = match backend.kind {
        BackendKind::KeyVault => true,
        BackendKind::SqlServer => backend.sql_entra_only == Some(true),
        BackendKind::Redis => backend.redis_access_keys_disabled == Some(true),
        BackendKind::CognitiveServices | BackendKind::Storage => backend.local_auth_disabled == Some(true),
        BackendKind::Other(_) => false,
    };
    if entra_only {
        return SignIn::Entra;
    }
    if let Some(setting) = credential_setting(site, backend) {
        return SignIn::Key(format!("the app signs in with a key or password ({setting}); no Entra sign-in applies"));
    }
    let has_identity = site.identity.has_system_assigned() || !site.identity.user_assigned.is_empty();
    if !has_identity {
        return SignIn::Key(
            "the app has no managed identity and the service accepts keys: no Entra sign-in applies".into(),
        );
    }
    if backend.kind == BackendKind::Redis && backend.redis_entra_enabled != Some(true) {
        return SignIn::Key(
            "the cache does not have Microsoft Entra authentication on (aad-enabled): the app signs in with an access key"
                .into(),
        );
    }
    if matches!(backend.kind, BackendKind::Other(_)) {
        return SignIn::Key("privlink does not model sign-in to this service".into());
    }
    SignIn::Entra
}

fn system_assigned(site: &Site) -> Result<Principal, PrincipalError> {
    if !site.identity.has_system_assigned() {
        return Err(PrincipalError::IdentityNotEnabled { site: site.meta.id.clone() });
    }
    Ok(Principal {
        user_assigned: None,
        object_id: site.identity.principal_id.clone().filter(|p| !p.is_empty()),
        tenant_id: site.identity.tenant_id.clone(),
        display_name: site.meta.name.clone(),
    })
}

fn user_assigned(
    model: &Model,
    site: &Site,
    matches: impl Fn(&ResourceId, Option<&privlink_model::UserAssignedIdentity>) -> bool,
    named: &str,
    setting: &'static str,
) -> Result<Principal, PrincipalError> {
    let found =
        site.identity.user_assigned.iter().find(|id| matches(id, model.resources.user_assigned_identities.get(*id)));
    let Some(id) = found else {
        return Err(PrincipalError::IdentityNotAssigned {
            site: site.meta.id.clone(),
            identity: named.to_string(),
            setting,
        });
    };
    let uami = model.resources.user_assigned_identities.get(id);
    let object_id = site
        .identity
        .user_assigned_principals
        .get(id)
        .cloned()
        .flatten()
        .or_else(|| uami.and_then(|u| u.principal_id.clone()));
    Ok(Principal {
        user_assigned: Some(id.clone()),
        object_id,
        tenant_id: uami.and_then(|u| u.tenant_id.clone()).or_else(|| site.identity.tenant_id.clone()),
        display_name: id.name().to_string(),
    })
}

/// The principal the app's code signs in as (I2): `AZURE_CLIENT_ID` selects a user-assigned
/// identity by client id, else the system-assigned identity.
pub fn principal_for_code(model: &Model, site: &Site) -> Result<Principal, PrincipalError> {
    if let Some(client_id) = site.app_setting("AZURE_CLIENT_ID").map(str::trim).filter(|c| !c.is_empty()) {
        return user_assigned(
            model,
            site,
            |id, uami| {
                site.identity
                    .user_assigned_clients
                    .get(id)
                    .cloned()
                    .flatten()
                    .or_else(|| uami.and_then(|u| u.client_id.clone()))
                    .is_some_and(|c| c.eq_ignore_ascii_case(client_id))
            },
            client_id,
            "the app setting AZURE_CLIENT_ID",
        );
    }
    system_assigned(site)
}

/// The principal App Service resolves the app's Key Vault references with (I2):
/// `keyVaultReferenceIdentity`, else the system-assigned identity.
pub fn principal_for_references(model: &Model, site: &Site) -> Result<Principal, PrincipalError> {
    match site.key_vault_reference_identity.as_deref().map(str::trim) {
        Some(uami) if !uami.is_empty() && !uami.eq_ignore_ascii_case("SystemAssigned") => user_assigned(
            model,
            site,
            |id, _| id.as_str().eq_ignore_ascii_case(uami),
            uami,
            "keyVaultReferenceIdentity",
        ),
        _ => system_assigned(site),
    }
}
