//! Identity and access modelling choices: where Azure's documentation leaves open how an app signs
//! in or how a grant is decided, privlink chooses, and every such choice is written here
//! (azure-semantics marks them [SIM]). Code applying one cites it by number; output that depends on
//! one says so.
//!
//! | # | choice | where | azure-semantics |
//! |---|---|---|---|
//! | I1 | Which sign-in an app uses for a service: Entra when the service accepts nothing else (Key Vault always; SQL `azureADOnlyAuthentication`, Redis `disableAccessKeyAuthentication`, Cognitive Services / storage `disableLocalAuth`); a key or password when an app setting or connection string names one for the service; else Entra when the site has a managed identity (the seeds' `DefaultAzureCredential`), except Redis, which needs Entra turned on (`aad-enabled`) | `access::sign_in` | §6, §13 |
//! | I2 | The identity an app's code signs in with: the user-assigned identity whose `clientId` is the `AZURE_CLIENT_ID` setting, else the system-assigned one (what `DefaultAzureCredential` does on App Service); Key Vault references use `keyVaultReferenceIdentity`, else system-assigned | `access::sign_in` | §6.1, §7.2 |
//! | I3 | An estate with no role assignment at all says nothing about grants (exports omit them): RBAC decisions are then indeterminate, and a missing grant is a denial only once the estate holds one | `access::grants` | §13.1 |
//! | I4 | A role assignment with a `condition` (ABAC) is not evaluated: it makes the decision indeterminate rather than granted | `access::grants` | §13.1 |
//! | I5 | A role definition that is not built in (a custom role) is not in the estate: an assignment of one makes the decision indeterminate | `access::grants` | §13.2 |
//! | I6 | Contained database users are unknown unless the estate declares them (`Privlink.Declarations/sqlContainedUsers`); a declared user matches by object id, else by the identity's display name (the site's name for its system-assigned identity, the identity's name for a user-assigned one) | `access::grants` | §13.5 |
//! | I7 | Redis access policy assignments, like role assignments, say nothing when the estate holds none for any cache (a pull or export may not read the child resources) | `access::grants` | §13.4 |
//! | I8 | Propagation delays (role assignments up to 10 minutes, token caches about 24 h) are not modelled: a grant counts from the moment the estate holds it | `access` | §13.1, §6.1 |
//! | I9 | A Key Vault reference's outcome maps to App Service's status as azure-semantics' table does: a denial on the network or by authorization is `AccessToKeyVaultDenied`, a dropped connection `FetchTimedOut`, a name that does not resolve `VaultNotFound` | `access::references` | §7.3 |
//! | I10 | A Key Vault reference's secret exists when the estate holds it (`Microsoft.KeyVault/vaults/secrets`); when the estate holds no secret of that vault at all, existence is unknown (status `Indeterminate`, privlink's own) | `access::references` | §7.3 |
//! | I11 | A role assignment whose principal (or role) is known only after deployment (a template's `reference()`, a plan's unknown `principal_id`) may be the grant: where no known assignment grants, the decision is indeterminate, not denied | `access::grants` | §13.1, §16.3 |
//! | I12 | A Linux app gets each app setting twice: as its name (`.` replaced by `_`) and as `APPSETTING_{name}`; a Windows app as its name and `APPSETTING_{name}` | `access::environment` | §14.3 |
//! | I13 | `PORT` in a Linux app is the `WEBSITES_PORT` setting, else the `PORT` setting, else 8080 (the built-in images' default is not documented) | `access::environment` | §14.1 |
//! | I14 | Without a twin to say, `IDENTITY_ENDPOINT` (and `MSI_ENDPOINT`) is Learn's example `http://localhost:4141/MSI/token`; `IDENTITY_HEADER` (and `MSI_SECRET`) is not invented: the platform sets and rotates it. The deprecated `MSI_*` aliases are set | `access::environment` | §6.1, §14.2 |
//! | I15 | `WEBSITE_OWNER_NAME` is `{subscription}+{resource group}-{region without spaces}webspace` (`-Linux` for Linux), `REGION_NAME` the site's `location` as its document spells it, `WEBSITE_SKU` the plan's `sku.tier` | `access::environment` | §14.2 |
