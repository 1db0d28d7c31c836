//! Azure's control-plane behaviour: what Azure does to the estate when a resource is written.
//!
//! [`apply`] is a pure function from the current documents (a [`DocumentLookup`]) and one [`Write`] to the
//! document [`Change`]s Azure would make, or the [`ArmError`] Azure would answer. The live twin calls
//! it for every PUT, PATCH and DELETE; template ingestion calls [`deploy`], which applies the
//! template's resources one by one in a dependency-safe order. One implementation, so a deployed
//! template and the twin hold the same documents.
//!
//! What it does (azure-semantics.md §1.6, §2, §3.2):
//!
//! * **Private endpoint PUT** — a NIC with one ipConfiguration per member of the target's group
//!   ([`endpoint`]), addresses from the subnet's lowest free non-reserved ones ([`ipam`]), static
//!   addresses validated; `privateLinkConnectionProperties`, the endpoint's `networkInterfaces`,
//!   `customDnsConfigs` and connection state; the target's `privateEndpointConnections` entry
//!   (inline in the target and as its own document). Re-PUTs keep the addresses.
//! * **Private endpoint DELETE** — its NIC, zone groups, their records and the target's connection.
//! * **Zone group PUT / DELETE** — A records (TTL 10) into each referenced zone and the group's
//!   `recordSets` ([`zone_group`]); removed again on delete.
//! * **Connection approval** — PUT / DELETE of `{target}/privateEndpointConnections/{name}`
//!   ([`connection`]).
//! * **Dynamic addresses** of NICs, Azure Firewalls and resolver inbound endpoints
//!   ([`runtime_addresses`]): the lowest free address of the subnet, kept on re-PUT.
//! * **Service host names** ([`service_hosts`]): SQL's `fullyQualifiedDomainName`, Key Vault's
//!   `vaultUri`, Redis's `hostName`, storage `primaryEndpoints`, from the catalog.
//! * **Managed identities** ([`identity`]): a system-assigned identity's `principalId` and
//!   `tenantId`, kept across writes; each user-assigned entry's `{principalId, clientId}` from the
//!   identity it names; a user-assigned identity's own ids.
//! * **Role assignments** ([`authorization`]): the role must exist, one role once per principal
//!   and scope, `properties.scope` echoed.
//! * **Key Vault secrets** through ARM ([`secrets`]): the value is never stored; URIs reported.
//! * **SQL Entra administrator and Entra-only authentication** ([`sql_admin`]): mirrored into the
//!   server's `properties.administrators`.
//! * **Validation** ([`checks`]) — see the table below.
//!
//! Everything is deterministic: generated names and GUIDs are derived by hashing resource ids
//! ([`derived_guid`]); nothing reads a clock or a random source.
//!
//! # Error codes
//!
//! | Situation | Status | Code | Source |
//! |---|---|---|---|
//! | PE in a subnet with delegations | 400 | `PrivateEndpointCannotBeCreatedInSubnetThatHasDelegations` | UNVERIFIED code (the behaviour: MicrosoftDocs/azure-docs#47048, portal text only) |
//! | static PE address reserved (first four, last) | 400 | `PrivateIPAddressInReservedRange` | hashicorp/terraform-provider-azurerm#4225 (NIC PUT) |
//! | static PE address outside the subnet | 400 | `PrivateIPAddressNotInSubnet` | UNVERIFIED |
//! | static PE address used by another NIC | 400 | `PrivateIPAddressInUse` | UNVERIFIED |
//! | no free address left | 400 | `SubnetIsFull` | UNVERIFIED |
//! | PE subnet / zone group zone not found | 400 | `InvalidResourceReference` | UNVERIFIED |
//! | PE without any connection | 400 | `PrivateEndpointMustHaveOneConnection` | UNVERIFIED |
//! | second zone group on one PE | 400 | `PrivateEndpointCannotHaveMoreThanOneDnsZoneGroup` | UNVERIFIED (the limit: §1.6) |
//! | more than five zones in a zone group | 400 | `PrivateDnsZoneGroupCannotHaveMoreThanFiveZones` | UNVERIFIED (the limit: §1.6) |
//! | subnet in use deleted (subnet DELETE, VNet PUT without it, VNet DELETE) | 400 | `InUseSubnetCannotBeDeleted` | kubernetes-sigs/cluster-api-provider-azure#172, microsoft/nav-arm-templates#161, hashicorp/terraform#16093 |
//! | delegation added to a subnet that holds NICs | 400 | `SubnetDelegationsCannotChangeWhenSubnetUsedByResource` | MicrosoftDocs/azure-docs#39112 |
//! | second link between one zone and one VNet | 409 | `Conflict` | code as in Azure/azure-powershell#9537 (a link conflict); status and message UNVERIFIED |
//! | site `virtualNetworkSubnetId` to a subnet not delegated to `Microsoft.Web/serverFarms` | 400 | `BadRequest` | Azure/terraform-azurerm-vnet#46, Azure/azure-quickstart-templates#8813 (message) |
//! | site integration on a Free/Shared/Dynamic plan | 400 | `BadRequest` | UNVERIFIED (the rule: §3.2 SKUs) |
//! | plan moved to such a SKU while apps are integrated | 400 | `BadRequest` | Azure/bicep#6725 (message); code UNVERIFIED |
//! | approval of an unknown connection | 404 | `PrivateEndpointConnectionNotFound` | UNVERIFIED |
//! | subnet or VNet address prefix not CIDR (`not-an-ip`, `10.20.0.0/33`) | 400 | `InvalidAddressPrefixFormat` | Azure/azure-service-operator#997, Azure/avdaccelerator#83 |
//! | subnet outside its VNet's address space | 400 | `NetcfgSubnetRangeOutsideVnet` | MicrosoftDocs/azure-docs#123869 |
//! | subnet overlapping another subnet of its VNet | 400 | `NetcfgSubnetRangesOverlap` | MicrosoftDocs/azure-docs#123869 |
//! | subnet with no address prefix (nor IPAM pool allocation) | 400 | `NetcfgInvalidSubnet` | the code: microsoft/AzureTRE#2111 (another invalid subnet); for this case UNVERIFIED |
//! | `identity.userAssignedIdentities` names an identity that does not exist | 400 | `FailedIdentityOperation` | code and message frame: Azure/azure-cli#31837; the inner text UNVERIFIED |
//! | role assignment naming no role definition (no GUID, not in the estate) | 400 | `RoleDefinitionDoesNotExist` | code: JulianHayward/AzAPICall#23; status and message UNVERIFIED |
//! | a second assignment of one role to one principal at one scope | 409 | `RoleAssignmentExists` | hashicorp/terraform-provider-azurerm#28557 |
//!
//! # Simulation choices [SIM]
//!
//! * NIC name without `customNetworkInterfaceName`: `{pe}.nic.{guid}` (§2.3, UNVERIFIED in Azure).
//! * Dynamic addresses: the lowest free non-reserved address (§2.3: Azure does not promise order).
//!   A template's endpoints are allocated in template order (Azure deploys them in parallel);
//!   its other NICs after every endpoint, in template order. An Azure Firewall and a resolver
//!   inbound endpoint take the lowest free address of their dedicated subnets (`.4`).
//! * One ipConfiguration per group id holding every FQDN the catalog gives for it (one member per
//!   group); `requiredMemberName` is `default` for Key Vault `vault` and Cognitive Services
//!   `account` (observed), else the group id (azurerm's `member_name` default).
//! * ipConfiguration names `privateEndpointIpConfig.{guid}`, backend connection names `{pe}.{guid}`,
//!   GUIDs and etags derived from ids.
//! * An automatic connection to a target outside the estate gets no status (Azure knows it; we
//!   do not); a manual one is `Pending` whatever the target.
//! * A zone group's record for an FQDN is the FQDN's `privatelink` alias relative to the zone
//!   (`kv1.vault.azure.net` → `kv1` in `privatelink.vaultcore.azure.net`); a record set it writes
//!   replaces that name's A records; deleting removes only the endpoint's addresses.
//! * `customDnsConfigs` is filled in even with a zone group (§1.7 reports Azure leaves it empty).
//! * The subnet's read-only `privateEndpoints` / `ipConfigurations` back-references are not written.
//! * Managed identity ids: a system-assigned identity's `principalId` (and a user-assigned
//!   identity's `principalId` and `clientId`) are GUIDs derived from the lower-cased resource id
//!   (Entra ID makes random ones), so a resource deleted and re-created gets the same principal.
//!   The tenant is the twin's (`apply_in_tenant`), else [`DEFAULT_TENANT_ID`].
//! * A site PUT without an `identity` block keeps the identity it had.
//! * A secret's version id is derived from its id and the version before it, never from the value.
//! * Role assignments only check that the role exists and is not assigned twice: principals are
//!   not looked up (there is no Microsoft Graph), and no propagation delay is modelled here. A role
//!   definition id ending in a GUID the catalog does not hold is accepted (the catalog holds only
//!   the built-in roles this domain decides with); one ending in no GUID is `RoleDefinitionDoesNotExist`.

mod authorization;
mod checks;
mod connection;
mod endpoint;
mod error;
pub mod identity;
mod integration;
mod ipam;
mod runtime_addresses;
mod secrets;
mod service_hosts;
mod sql_admin;
mod zone_group;

#[cfg(test)]
mod access_tests;
#[cfg(test)]
mod tests;

pub use error::ArmError;
use privlink_model::arm_type;
use privlink_model::{Document, Origin, ResourceId};
use serde_json::{Map, Value};
use std::collections::{BTreeMap, BTreeSet, HashMap};

/// Which write a client asked for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WriteMethod {
    Put,
    Patch,
    Delete,
}

/// One write: the resource, and for PUT and PATCH the complete document to store (for PATCH the
/// patch already merged onto the stored document).
#[derive(Debug, Clone, Copy)]
pub struct Write<'a> {
    pub method: WriteMethod,
    pub id: &'a ResourceId,
    pub document: Option<&'a Value>,
}

/// One document change. Applied in order; a later `Put` of the same id replaces an earlier one.
#[derive(Debug, Clone, PartialEq)]
pub enum Change {
    /// Create or replace the document whose `id` property names it.
    Put(Value),
    /// Remove the document with this id (a no-op when it does not exist).
    Delete(ResourceId),
}

/// The documents a write is judged against, by id (case-insensitive).
pub trait DocumentLookup {
    fn document(&self, id: &ResourceId) -> Option<&Value>;
    /// Every document, in any order.
    fn documents(&self) -> Box<dyn Iterator<Item = &Value> + '_>;
    /// At least every document whose id lies below `parent` (callers filter), in any order. The
    /// default is every document; an estate keyed by id answers from the ids' order, so deploying
    /// a template of 100k resources does not scan them all once per write.
    fn below(&self, parent: &ResourceId) -> Box<dyn Iterator<Item = &Value> + '_> {
        let _ = parent;
        self.documents()
    }
    /// The documents whose `type` is `ty` (case-insensitive), in id order. The default scans.
    fn of_type<'a>(&'a self, ty: &'a str) -> Box<dyn Iterator<Item = &'a Value> + 'a> {
        let mut found: Vec<(ResourceId, &Value)> = self
            .documents()
            .filter(|d| str_at(d, "/type").is_some_and(|t| t.eq_ignore_ascii_case(ty)))
            .filter_map(|d| Some((document_id(d)?, d)))
            .collect();
        found.sort_by(|a, b| a.0.cmp(&b.0));
        Box::new(found.into_iter().map(|(_, d)| d))
    }
    /// At least the network interfaces with an IP configuration in `subnet` (callers filter).
    fn interfaces_in(&self, subnet: &ResourceId) -> Box<dyn Iterator<Item = &Value> + '_> {
        let _ = subnet;
        self.of_type(NETWORK_INTERFACE)
    }
}

/// A deployment's documents with the indexes its writes ask for (documents by type, interfaces
/// by subnet), kept up to date as changes are applied: each private endpoint written looks for
/// the addresses taken in its subnet, and scanning every interface for each made deploying a
/// 100k-resource template quadratic.
struct Indexed<'d> {
    documents: &'d mut BTreeMap<ResourceId, Document>,
    by_type: HashMap<String, BTreeSet<ResourceId>>,
    interfaces_by_subnet: HashMap<ResourceId, BTreeSet<ResourceId>>,
}

impl<'d> Indexed<'d> {
    fn new(documents: &'d mut BTreeMap<ResourceId, Document>) -> Indexed<'d> {
        let keys: Vec<(ResourceId, IndexKeys)> =
            documents.iter().map(|(id, d)| (id.clone(), IndexKeys::of(&d.body))).collect();
        let mut indexed = Indexed { documents, by_type: HashMap::new(), interfaces_by_subnet: HashMap::new() };
        for (id, keys) in keys {
            indexed.add(&id, keys);
        }
        indexed
    }

    fn add(&mut self, id: &ResourceId, keys: IndexKeys) {
        if let Some(ty) = keys.ty {
            self.by_type.entry(ty).or_default().insert(id.clone());
        }
        for subnet in keys.subnets {
            self.interfaces_by_subnet.entry(subnet).or_default().insert(id.clone());
        }
    }

    /// Takes the stored document of `id` out of the indexes (not out of the documents).
    fn remove(&mut self, id: &ResourceId) {
        let Some(keys) = self.documents.get(id).map(|d| IndexKeys::of(&d.body)) else { return };
        if let Some(ids) = keys.ty.and_then(|ty| self.by_type.get_mut(&ty)) {
            ids.remove(id);
        }
        for subnet in keys.subnets {
            if let Some(ids) = self.interfaces_by_subnet.get_mut(&subnet) {
                ids.remove(id);
            }
        }
    }

    fn apply_changes(&mut self, changes: Vec<Change>, origin: &Origin) {
        for change in changes {
            match change {
                Change::Put(body) => {
                    let Some(id) = document_id(&body) else { continue };
                    self.remove(&id);
                    self.add(&id, IndexKeys::of(&body));
                    match self.documents.get_mut(&id) {
                        Some(existing) => existing.body = body,
                        None => {
                            self.documents.insert(id.clone(), Document { id, body, origin: origin.clone() });
                        }
                    }
                }
                Change::Delete(id) => {
                    self.remove(&id);
                    self.documents.remove(&id);
                }
            }
        }
    }

    fn insert(&mut self, document: Document) {
        self.remove(&document.id);
        self.add(&document.id, IndexKeys::of(&document.body));
        self.documents.insert(document.id.clone(), document);
    }
}

/// What the indexes read of a document: its lower-cased type and, for a network interface, the
/// subnets of its IP configurations.
struct IndexKeys {
    ty: Option<String>,
    subnets: Vec<ResourceId>,
}

impl IndexKeys {
    fn of(body: &Value) -> IndexKeys {
        let ty = str_at(body, "/type").map(str::to_ascii_lowercase);
        let subnets = if ty.as_deref() == Some(&NETWORK_INTERFACE.to_ascii_lowercase()) {
            array_at(body, "/properties/ipConfigurations")
                .iter()
                .filter_map(|c| id_at(c, "/properties/subnet"))
                .collect()
        } else {
            Vec::new()
        };
        IndexKeys { ty, subnets }
    }
}

impl DocumentLookup for Indexed<'_> {
    fn document(&self, id: &ResourceId) -> Option<&Value> {
        self.documents.get(id).map(|d| &d.body)
    }

    fn documents(&self) -> Box<dyn Iterator<Item = &Value> + '_> {
        Box::new(self.documents.values().map(|d| &d.body))
    }

    fn below(&self, parent: &ResourceId) -> Box<dyn Iterator<Item = &Value> + '_> {
        Box::new(entries_below(self.documents, parent).map(|d| &d.body))
    }

    fn of_type<'a>(&'a self, ty: &'a str) -> Box<dyn Iterator<Item = &'a Value> + 'a> {
        let ids = self.by_type.get(&ty.to_ascii_lowercase());
        Box::new(ids.into_iter().flatten().filter_map(|id| self.documents.get(id)).map(|d| &d.body))
    }

    fn interfaces_in(&self, subnet: &ResourceId) -> Box<dyn Iterator<Item = &Value> + '_> {
        let ids = self.interfaces_by_subnet.get(subnet);
        Box::new(ids.into_iter().flatten().filter_map(|id| self.documents.get(id)).map(|d| &d.body))
    }
}

/// The entries of `map` whose ids lie below `parent`: ids order by their lower-cased text, so
/// every id that extends `parent`'s follows it, together.
fn entries_below<'a, T>(map: &'a BTreeMap<ResourceId, T>, parent: &ResourceId) -> impl Iterator<Item = &'a T> + 'a {
    let prefix = format!("{}/", parent.key());
    use std::ops::Bound;
    map.range((Bound::Excluded(parent.clone()), Bound::Unbounded))
        .take_while(move |(id, _)| id.key().starts_with(&prefix))
        .map(|(_, doc)| doc)
}

impl DocumentLookup for BTreeMap<ResourceId, Value> {
    fn document(&self, id: &ResourceId) -> Option<&Value> {
        self.get(id)
    }

    fn documents(&self) -> Box<dyn Iterator<Item = &Value> + '_> {
        Box::new(self.values())
    }

    fn below(&self, parent: &ResourceId) -> Box<dyn Iterator<Item = &Value> + '_> {
        Box::new(entries_below(self, parent))
    }
}

impl DocumentLookup for BTreeMap<ResourceId, Document> {
    fn document(&self, id: &ResourceId) -> Option<&Value> {
        self.get(id).map(|d| &d.body)
    }

    fn documents(&self) -> Box<dyn Iterator<Item = &Value> + '_> {
        Box::new(self.values().map(|d| &d.body))
    }

    fn below(&self, parent: &ResourceId) -> Box<dyn Iterator<Item = &Value> + '_> {
        Box::new(entries_below(self, parent).map(|d| &d.body))
    }
}

pub(crate) const PRIVATE_ENDPOINT: &str = arm_type::PRIVATE_ENDPOINTS;
pub(crate) const ZONE_GROUP: &str = arm_type::PRIVATE_DNS_ZONE_GROUPS;
pub(crate) const NETWORK_INTERFACE: &str = arm_type::NETWORK_INTERFACES;
pub(crate) const VIRTUAL_NETWORK: &str = arm_type::VIRTUAL_NETWORKS;
pub(crate) const SUBNET: &str = arm_type::SUBNETS;
pub(crate) const ZONE_LINK: &str = arm_type::PRIVATE_DNS_ZONE_LINKS;
pub(crate) const A_RECORD_SET: &str = arm_type::PRIVATE_DNS_A_RECORDS;
pub(crate) const SITE: &str = arm_type::SITES;
pub(crate) const PLAN: &str = arm_type::SERVER_FARMS;

pub use authorization::assignment_scope;

/// The tenant identities belong to when the caller names none ([SIM]): the built-in estate's.
pub const DEFAULT_TENANT_ID: &str = "00000000-0000-0000-0000-0000000000aa";

/// The changes Azure makes for `write`, or the error it answers. The written document itself is
/// among the changes (completed with what Azure fills in), as is its deletion for DELETE.
/// Identities get [`DEFAULT_TENANT_ID`]; the twin calls [`apply_in_tenant`] with its own.
pub fn apply(estate: &dyn DocumentLookup, write: &Write<'_>) -> Result<Vec<Change>, ArmError> {
    apply_in_tenant(estate, write, DEFAULT_TENANT_ID)
}

/// [`apply`] in the Entra tenant `tenant_id`: the tenant managed identities are created in.
pub fn apply_in_tenant(
    estate: &dyn DocumentLookup,
    write: &Write<'_>,
    tenant_id: &str,
) -> Result<Vec<Change>, ArmError> {
    let id = write.id;
    match (write.method, sql_admin::kind(id)) {
        (WriteMethod::Delete, Some(sql_admin::SqlEntraChild::Administrator)) => {
            return Ok(sql_admin::delete_administrator(estate, id))
        }
        (WriteMethod::Delete, Some(sql_admin::SqlEntraChild::AdOnly)) => {
            return Ok(sql_admin::put_ad_only(estate, id, None))
        }
        (_, Some(kind)) if write.document.is_some() => {
            let document = write.document.expect("checked above");
            return Ok(match kind {
                sql_admin::SqlEntraChild::Administrator => sql_admin::put_administrator(estate, id, document),
                sql_admin::SqlEntraChild::AdOnly => sql_admin::put_ad_only(estate, id, Some(document)),
            });
        }
        _ => {}
    }
    if let (WriteMethod::Put | WriteMethod::Patch, Some(document)) = (write.method, write.document) {
        if id.is_type(arm_type::ROLE_ASSIGNMENTS) {
            return Ok(vec![Change::Put(authorization::put(estate, id, document)?)]);
        }
        if id.is_type(arm_type::USER_ASSIGNED_IDENTITIES) {
            return Ok(vec![Change::Put(identity::complete_user_assigned(estate, id, document, tenant_id))]);
        }
        if id.is_type(arm_type::KEY_VAULT_SECRETS) {
            return Ok(vec![Change::Put(secrets::put(estate, id, document))]);
        }
        if let Some(completed) = identity::complete(estate, id, document, tenant_id)? {
            let write = Write { method: write.method, id, document: Some(&completed) };
            return apply_resource(estate, &write);
        }
    }
    apply_resource(estate, write)
}

/// What a write does to the networking resources and their validation (identity settled).
fn apply_resource(estate: &dyn DocumentLookup, write: &Write<'_>) -> Result<Vec<Change>, ArmError> {
    let id = write.id;
    let is_connection = id.parent().is_some()
        && id.resource_type().rsplit('/').next().is_some_and(|t| t.eq_ignore_ascii_case("privateEndpointConnections"));
    match (write.method, write.document) {
        (WriteMethod::Delete, _) => {
            if id.is_type(PRIVATE_ENDPOINT) {
                endpoint::delete(estate, id)
            } else if id.is_type(ZONE_GROUP) {
                zone_group::delete(estate, id)
            } else if is_connection {
                connection::delete(estate, id)
            } else if integration::is_integration(id) {
                Ok(integration::delete(estate, id))
            } else {
                checks::before_delete(estate, id)?;
                Ok(vec![Change::Delete(id.clone())])
            }
        }
        (_, Some(document)) => {
            if id.is_type(PRIVATE_ENDPOINT) {
                endpoint::put(estate, id, document)
            } else if id.is_type(ZONE_GROUP) {
                zone_group::put(estate, id, document)
            } else if is_connection {
                connection::put(estate, id, document)
            } else if integration::is_integration(id) {
                checks::before_put(estate, id, document)?;
                Ok(integration::put(estate, id, document))
            } else if runtime_addresses::allocates(id) {
                let completed = runtime_addresses::complete(estate, id, document)?;
                checks::before_put(estate, id, &completed)?;
                Ok(vec![Change::Put(completed)])
            } else {
                checks::before_put(estate, id, document)?;
                Ok(vec![Change::Put(service_hosts::complete(id, document))])
            }
        }
        (_, None) => Ok(Vec::new()),
    }
}

/// What Azure refused while deploying a template: the resource and the error.
#[derive(Debug, Clone, PartialEq)]
pub struct DeploymentFailure {
    pub id: ResourceId,
    pub error: ArmError,
}

/// Deploys documents a template evaluated to, as a fresh deployment would: the ids of `deployed`
/// are taken out of `documents`, then PUT one by one in a dependency-safe order (networks, then
/// zones and other resources, then sites, endpoints, zone groups, connections and other NICs; template order
/// within each), each judged against what is deployed so far, and the changes are applied.
/// Documents Azure creates take the origin of the resource whose write created them. A write
/// Azure would refuse leaves the document as evaluated and is returned as a failure.
pub fn deploy(documents: &mut BTreeMap<ResourceId, Document>, deployed: &[ResourceId]) -> Vec<DeploymentFailure> {
    let mut pending: Vec<Document> = deployed.iter().filter_map(|id| documents.remove(id)).collect();
    pending.sort_by_key(|d| deploy_rank(&d.id));
    let mut failures = Vec::new();
    if pending.is_empty() {
        // Nothing came from a template: no need to index an export of 100k documents.
        return failures;
    }
    let mut estate = Indexed::new(documents);
    for document in pending {
        let write = Write { method: WriteMethod::Put, id: &document.id, document: Some(&document.body) };
        match apply(&estate, &write) {
            Ok(changes) => estate.apply_changes(changes, &document.origin),
            Err(error) => {
                failures.push(DeploymentFailure { id: document.id.clone(), error });
                estate.insert(document);
            }
        }
    }
    failures
}

fn deploy_rank(id: &ResourceId) -> u8 {
    let ty = id.type_key();
    let starts_with_type = |prefix: &str| ty.get(..prefix.len()).is_some_and(|head| head.eq_ignore_ascii_case(prefix));
    if starts_with_type(arm_type::VIRTUAL_NETWORKS)
        || starts_with_type(arm_type::NETWORK_SECURITY_GROUPS)
        || starts_with_type(arm_type::ROUTE_TABLES)
    {
        0
    } else if ty == PLAN.to_ascii_lowercase() {
        1
    } else if ty == SITE.to_ascii_lowercase() {
        3
    } else if ty == PRIVATE_ENDPOINT.to_ascii_lowercase() {
        4
    } else if ty == ZONE_GROUP.to_ascii_lowercase() {
        5
    } else if ty.ends_with("/privateendpointconnections") {
        6
    } else if ty == NETWORK_INTERFACE.to_ascii_lowercase() {
        // Other NICs take their dynamic addresses once the endpoints have theirs: Azure promises
        // no order, and this one keeps endpoint addresses what they were before NICs got any.
        7
    } else {
        2
    }
}

// ----- helpers shared by the submodules -----

/// The parsed `id` property of a document.
pub(crate) fn document_id(doc: &Value) -> Option<ResourceId> {
    ResourceId::parse(doc.get("id")?.as_str()?).ok()
}

/// The string at a JSON pointer.
pub(crate) fn str_at<'a>(doc: &'a Value, pointer: &str) -> Option<&'a str> {
    doc.pointer(pointer).and_then(Value::as_str)
}

/// The resource id at a JSON pointer (`{"id": …}` objects are read at `…/id`).
pub(crate) fn id_at(doc: &Value, pointer: &str) -> Option<ResourceId> {
    let v = doc.pointer(pointer)?;
    let text = v.as_str().or_else(|| v.get("id").and_then(Value::as_str))?;
    ResourceId::parse(text).ok()
}

/// The array at a JSON pointer, empty when absent.
pub(crate) fn array_at<'a>(doc: &'a Value, pointer: &str) -> &'a [Value] {
    doc.pointer(pointer).and_then(Value::as_array).map_or(&[], Vec::as_slice)
}

/// `properties` of a document, created when absent.
pub(crate) fn properties_mut(doc: &mut Value) -> &mut Map<String, Value> {
    if !doc.is_object() {
        *doc = Value::Object(Map::new());
    }
    let fields = doc.as_object_mut().expect("made an object above");
    let props = fields.entry("properties").or_insert_with(|| Value::Object(Map::new()));
    if !props.is_object() {
        *props = Value::Object(Map::new());
    }
    props.as_object_mut().expect("made an object above")
}

/// The documents of one type, in any order.
pub(crate) fn documents_of_type<'a>(
    estate: &'a dyn DocumentLookup,
    ty: &'a str,
) -> impl Iterator<Item = &'a Value> + 'a {
    estate.of_type(ty)
}

/// The documents directly below `parent` of type `ty`, in id order.
pub(crate) fn children_of(estate: &dyn DocumentLookup, parent: &ResourceId, ty: &str) -> Vec<Value> {
    let mut found: Vec<(ResourceId, Value)> = estate
        .below(parent)
        .filter_map(|d| Some((document_id(d)?, d)))
        .filter(|(id, _)| id.is_type(ty) && id.parent().as_ref() == Some(parent))
        .map(|(id, d)| (id, d.clone()))
        .collect();
    found.sort_by(|a, b| a.0.cmp(&b.0));
    found.into_iter().map(|(_, d)| d).collect()
}

/// A subnet's document: its own, or the entry in its VNet's `properties.subnets`.
pub(crate) fn subnet_document(estate: &dyn DocumentLookup, subnet: &ResourceId) -> Option<Value> {
    if let Some(doc) = estate.document(subnet) {
        return Some(doc.clone());
    }
    let vnet = estate.document(&subnet.parent()?)?;
    array_at(vnet, "/properties/subnets")
        .iter()
        .find(|s| str_at(s, "/name").is_some_and(|n| n.eq_ignore_ascii_case(subnet.name())))
        .cloned()
}

/// A GUID derived from `parts` (a name-based stand-in for the GUIDs Azure generates): two FNV-1a
/// hashes laid out as a version-5 UUID.
pub fn derived_guid(parts: &[&str]) -> String {
    let hash = |basis: u64| {
        let mut h = basis;
        for part in parts {
            for b in part.to_ascii_lowercase().bytes().chain([0u8]) {
                h ^= u64::from(b);
                h = h.wrapping_mul(0x0000_0100_0000_01b3);
            }
        }
        h
    };
    let (a, b) = (hash(0xcbf2_9ce4_8422_2325), hash(0x6c62_272e_07bb_0142));
    format!(
        "{:08x}-{:04x}-5{:03x}-{:04x}-{:012x}",
        a >> 32,
        (a >> 16) & 0xffff,
        a & 0x0fff,
        0x8000 | ((b >> 48) & 0x3fff),
        b & 0xffff_ffff_ffff
    )
}

/// A weak etag derived from a document's content.
pub(crate) fn derived_etag(doc: &Value) -> Value {
    let mut without = doc.clone();
    if let Some(fields) = without.as_object_mut() {
        fields.remove("etag");
    }
    Value::String(format!("W/\"{}\"", derived_guid(&[&without.to_string()])))
}
