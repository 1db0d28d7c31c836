//! `privlink env`: the environment App Service hands an app, with its Key Vault references resolved.

use super::{json, Format};
use crate::estate::{EstateArgs, LoadedEstate};
use anyhow::bail;
use privlink_engine::access::environment::{environment, PlatformValues};
use privlink_engine::dns::Resolver;
use privlink_model::{Model, ResourceId};
use privlink_report::environment as render;

const AFTER_HELP: &str = "\
What the app sees: every app setting as a variable (on Linux `.` becomes `_`) and again as
APPSETTING_<name>, every connection string as <PREFIX><name> (SQLAZURECONNSTR_, MYSQLCONNSTR_,
REDISCACHECONNSTR_, … by its type; CUSTOMCONNSTR_ for Custom or an unknown type), and the platform's
variables (WEBSITE_SITE_NAME, WEBSITE_HOSTNAME, WEBSITE_PRIVATE_IP, IDENTITY_ENDPOINT, …).

Each Key Vault reference (@Microsoft.KeyVault(SecretUri=…) or VaultName=…;SecretName=…) is resolved
as App Service resolves it: the identity (keyVaultReferenceIdentity, else system-assigned), the
network (the public route first, then through the VNet integration; a Linux app reaches a vault's
private endpoint only with route-all), the vault's RBAC role or access policy, and the secret. The
status is App Service's (Resolved, MSINotEnabled, AccessToKeyVaultDenied, SecretNotFound,
InvalidSyntax, VaultNotFound, FetchTimedOut, OtherReasons), or Indeterminate where the estate cannot
tell (a vault, role assignments or secrets it does not hold). A resolved reference's value is shown
as <secret VAULT/NAME>: privlink holds no secret values. An unresolved one is the literal reference,
which is what the app receives.

Values of app settings and connection strings are secrets: they are shown as <redacted> unless
--show-values is given. With --twin or --state, IDENTITY_ENDPOINT is the twin's token endpoint and
IDENTITY_HEADER its header (redacted unless --show-values); otherwise IDENTITY_HEADER is
<set by the platform>.

Examples:
  privlink env --from app-flask-privlink
  privlink env --from app-flask-privlink --format json
  privlink env --from app-flask-privlink --state .privlink --show-values

Exit codes: 0 every Key Vault reference resolves (or there is none), 1 some reference does not
resolve — Indeterminate counts as not resolved, since privlink cannot promise the app gets the
secret — 2 usage or input error (an unknown app: the message lists the apps of the estate).";

#[derive(clap::Args, Debug)]
#[command(after_help = AFTER_HELP)]
pub struct Args {
    #[command(flatten)]
    pub estate: EstateArgs,
    /// The app (site name or ARM id) whose environment to show.
    #[arg(long, value_name = "SITE")]
    pub from: String,
    /// Show app setting, connection string and identity header values instead of <redacted>.
    #[arg(long)]
    pub show_values: bool,
    /// Output format. JSON: {"app", "settings": [{"name", "source", "value", "reference"}], …}.
    #[arg(long, value_enum, default_value_t)]
    pub format: Format,
}

pub fn run(args: &Args) -> anyhow::Result<(String, i32)> {
    let identity = args.estate.twin_identity();
    args.estate.answer_with(|estate| answer(args, estate, identity))
}

/// The site `from` names: an ARM id, or a unique site name.
pub fn find_site(model: &Model, from: &str) -> anyhow::Result<ResourceId> {
    let sites = &model.resources.sites;
    let found: Vec<&ResourceId> = if from.starts_with('/') {
        let id = ResourceId::parse(from).map_err(|e| anyhow::anyhow!("--from {from}: {e}"))?;
        sites.get_key_value(&id).map(|(id, _)| id).into_iter().collect()
    } else {
        model.find_by_name(sites.keys(), from)
    };
    match found.as_slice() {
        [one] => Ok((*one).clone()),
        [] => {
            let known: Vec<&str> = sites.keys().map(ResourceId::name).collect();
            let known = if known.is_empty() { "none".to_string() } else { known.join(", ") };
            bail!("--from {from}: no app of that name in the estate; known apps: {known}")
        }
        many => bail!(
            "--from {from} is ambiguous; give the ARM id of one of:\n{}",
            many.iter().map(|id| format!("  {id}")).collect::<Vec<_>>().join("\n")
        ),
    }
}

/// The token endpoint and header the twin serves `site`'s code: its per-site endpoint
/// (`{identity base}/sites/{sub}/{rg}/{site}/msi/token`), whose header the twin derives from its
/// own identity header and the site's id, so tokens carry the site's principal.
fn twin_identity_for_site(twin_endpoint: &str, twin_header: &str, site: &ResourceId) -> (String, String) {
    let base = twin_endpoint.trim_end_matches('/');
    let base = base.strip_suffix(privlink_twin::arm::IDENTITY_PATH).unwrap_or(base);
    (
        format!("{base}{}", privlink_twin::arm::site_identity_path(site)),
        privlink_twin::identity::site_identity_header(twin_header, site.as_str()),
    )
}

fn answer(args: &Args, estate: &LoadedEstate, identity: Option<(String, String)>) -> anyhow::Result<(String, i32)> {
    let model = &estate.model;
    let site_id = find_site(model, &args.from)?;
    let site = &model.resources.sites[&site_id];
    let values = match identity {
        Some((endpoint, header)) => {
            let (endpoint, header) = twin_identity_for_site(&endpoint, &header, &site_id);
            PlatformValues { identity_endpoint: Some(endpoint), identity_header: Some(header) }
        }
        None => PlatformValues::default(),
    };
    let env = environment(model, &Resolver::new(model), site, &values);
    let code = if env.references().all(|(_, r)| r.resolved()) { 0 } else { 1 };
    let out = match args.format {
        Format::Text => render::to_text(&env, args.show_values),
        Format::Json => json(&render::to_json(&env, args.show_values)),
    };
    Ok((out, code))
}
