//! The twin's document store.
//!
//! ARM documents (JSON exactly as a GET returns them) keyed by lower-cased resource id, kept in
//! redb, an embedded transactional store: one [`Store::transact`] call commits a list of
//! [`Change`]s atomically and durably before it returns, so an acknowledged write survives a crash
//! or `kill -9`, and a failed one leaves nothing behind.
//!
//! Readers never touch the database: they take the [`Documents`] snapshot, an immutable map that
//! is replaced (one atomic pointer swap) after each commit. A reader holding an old snapshot keeps
//! a consistent view for as long as it likes.

use arc_swap::ArcSwap;
use privlink_engine::provider::ArmError;
use privlink_model::ResourceId;
use redb::{Database, ReadableDatabase, ReadableTable, TableDefinition};
use serde_json::Value;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use tokio::sync::watch;

/// Lower-cased resource id → the document's JSON text.
const DOCUMENTS: TableDefinition<&str, &str> = TableDefinition::new("documents");
/// Stored documents that could not be read back, moved aside when the store opened (same key and
/// text): kept for a person to look at, never loaded, never in the way of the others.
const QUARANTINE: TableDefinition<&str, &str> = TableDefinition::new("quarantine");

/// The deepest JSON nesting a stored document may have. serde_json (every reader of the store,
/// `/privlink/documents` and the CLI) refuses more than 128 levels; `/privlink/documents` wraps
/// each document two levels deeper (`{"value": [...]}`), so anything stored within this limit
/// reads back everywhere. The ARM face refuses request bodies well below it
/// (`arm::MAX_BODY_DEPTH`), leaving room for the levels inline children add.
pub const MAX_STORED_DEPTH: usize = 120;

/// The database file inside the state directory.
pub const DATABASE_FILE: &str = "documents.redb";

/// One document write, as the engine's provider decides them. A transaction is a list of these,
/// applied in order.
pub use privlink_engine::provider::Change;

/// Why the store could not do what was asked.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("document store {path}: {source}")]
    Database { path: PathBuf, source: redb::Error },
    #[error("a document to store has no valid 'id': {0}")]
    InvalidDocument(String),
    #[error("the document '{id}' would be nested {depth} levels deep; at most {MAX_STORED_DEPTH} can be stored")]
    TooDeep { id: String, depth: usize },
}

impl From<StoreError> for ArmError {
    fn from(e: StoreError) -> ArmError {
        match e {
            StoreError::InvalidDocument(m) => ArmError::bad_request("InvalidResource", m),
            // UNVERIFIED: ARM's code for a body nested too deeply; the twin uses its code for a
            // body it cannot deserialize.
            e @ StoreError::TooDeep { .. } => ArmError::bad_request(
                "InvalidRequestContent",
                format!("The request content was invalid and could not be deserialized: {e}"),
            ),
            StoreError::Database { .. } => ArmError::internal(e.to_string()),
        }
    }
}

/// An immutable view of every stored document, ordered by lower-cased id.
///
/// Ordering by the lower-cased id puts each resource right before everything below it, so
/// "all documents within X" is one range scan.
///
/// The map is persistent (`imbl::OrdMap`): [`Documents::with_changes`] shares every node it does
/// not change, so a write costs O(log n) however large the estate. A `BTreeMap` copied per write
/// made record-set writes slow down as a zone grew (issue 17, item 7).
#[derive(Debug, Clone, Default)]
pub struct Documents {
    by_key: imbl::OrdMap<Arc<str>, Arc<Value>>,
}

impl Documents {
    pub fn get(&self, id: &ResourceId) -> Option<&Value> {
        self.by_key.get(id.key()).map(|d| &**d)
    }

    pub fn contains(&self, id: &ResourceId) -> bool {
        self.by_key.contains_key(id.key())
    }

    pub fn len(&self) -> usize {
        self.by_key.len()
    }

    pub fn is_empty(&self) -> bool {
        self.by_key.is_empty()
    }

    /// Every document as `(lower-cased id, document)`, in id order.
    pub fn iter(&self) -> impl Iterator<Item = (&str, &Value)> {
        self.by_key.iter().map(|(k, v)| (&**k, &**v))
    }

    /// The documents strictly below `ancestor` (its children, their children, …), in id order.
    pub fn below<'a>(&'a self, ancestor: &ResourceId) -> impl Iterator<Item = (&'a str, &'a Value)> + 'a {
        let prefix = format!("{}/", ancestor.key());
        self.by_key
            .range::<_, str>((std::ops::Bound::Included(prefix.as_str()), std::ops::Bound::Unbounded))
            .take_while(move |(k, _)| k.starts_with(prefix.as_str()))
            .map(|(k, v)| (&**k, &**v))
    }

    /// The documents whose parent is `parent` and whose type is `resource_type` (case-insensitive).
    pub fn children<'a>(&'a self, parent: &ResourceId, resource_type: &'a str) -> impl Iterator<Item = &'a Value> + 'a {
        let parent = parent.clone();
        self.below(&parent.clone())
            .filter_map(|(_, doc)| Some((document_id(doc)?, doc)))
            .filter(move |(id, _)| id.parent().as_ref() == Some(&parent) && id.is_type(resource_type))
            .map(|(_, doc)| doc)
    }

    /// These documents with `changes` applied, as committing them would leave them.
    pub fn with_changes(&self, changes: &[Change]) -> Result<Documents, StoreError> {
        let mut next = self.clone();
        for change in changes {
            next.apply(change)?;
        }
        Ok(next)
    }

    fn apply(&mut self, change: &Change) -> Result<(), StoreError> {
        match change {
            Change::Put(doc) => {
                let id = document_id(doc).ok_or_else(|| StoreError::InvalidDocument(abbreviate(doc)))?;
                let depth = json_depth(doc);
                if depth > MAX_STORED_DEPTH {
                    return Err(StoreError::TooDeep { id: id.to_string(), depth });
                }
                self.by_key.insert(Arc::from(id.key()), Arc::new(doc.clone()));
            }
            Change::Delete(id) => {
                self.by_key.remove(id.key());
            }
        }
        Ok(())
    }
}

/// The parsed `id` property of a document.
pub fn document_id(doc: &Value) -> Option<ResourceId> {
    ResourceId::parse(doc.get("id")?.as_str()?).ok()
}

/// How deeply `value` nests: 0 for a scalar, 1 for `{}` or `[]`, one more per level inside.
pub fn json_depth(value: &Value) -> usize {
    let mut deepest = 0;
    let mut pending = vec![(value, 1)];
    while let Some((value, depth)) = pending.pop() {
        let children: Box<dyn Iterator<Item = &Value>> = match value {
            Value::Object(fields) => Box::new(fields.values()),
            Value::Array(items) => Box::new(items.iter()),
            _ => continue,
        };
        deepest = deepest.max(depth);
        pending.extend(children.map(|child| (child, depth + 1)));
    }
    deepest
}

fn abbreviate(doc: &Value) -> String {
    let text = doc.to_string();
    match text.char_indices().nth(120) {
        Some((cut, _)) => format!("{}…", &text[..cut]),
        None => text,
    }
}

/// The durable store plus the snapshot readers use.
pub struct Store {
    path: PathBuf,
    db: Database,
    snapshot: ArcSwap<Documents>,
    /// Every published snapshot, for readers that must act on changes (the DNS face rebuilds its
    /// model). Holding a receiver does not keep the database open.
    published: watch::Sender<Arc<Documents>>,
    /// Serialises read-decide-commit so that a decision is never made on a stale snapshot.
    writer: Mutex<()>,
}

impl Store {
    /// Opens (or creates) the store in `state_dir` and loads the snapshot from it.
    pub fn open(state_dir: &Path) -> Result<Store, StoreError> {
        let path = state_dir.join(DATABASE_FILE);
        let db_err = |e: redb::Error| StoreError::Database { path: path.clone(), source: e };
        let db = Database::create(&path).map_err(|e| db_err(e.into()))?;
        // It holds app-setting secrets: its owner's only, whatever the umask.
        crate::identity::make_file_private(&path).map_err(|e| db_err(e.into()))?;
        // A fresh database has no table yet; create it so that reads never meet "no such table".
        let txn = db.begin_write().map_err(|e| db_err(e.into()))?;
        txn.open_table(DOCUMENTS).map_err(|e| db_err(e.into()))?;
        txn.commit().map_err(|e| db_err(e.into()))?;

        let (documents, unreadable) = read_documents(&db).map_err(db_err)?;
        if !unreadable.is_empty() {
            quarantine(&db, &unreadable).map_err(db_err)?;
            for (key, why) in &unreadable {
                eprintln!(
                    "privlink twin: {}: the stored document '{key}' cannot be read ({why}); it is moved to the \
                     quarantine table and the other documents are loaded",
                    path.display()
                );
            }
        }
        let documents = Arc::new(documents);
        let (published, _) = watch::channel(documents.clone());
        Ok(Store { path, db, snapshot: ArcSwap::new(documents), published, writer: Mutex::new(()) })
    }

    /// The documents moved aside because they could not be read: (lower-cased id, stored text).
    pub fn quarantined(&self) -> Result<Vec<(String, String)>, StoreError> {
        let db_err = |e: redb::Error| StoreError::Database { path: self.path.clone(), source: e };
        let read = self.db.begin_read().map_err(|e| db_err(e.into()))?;
        let table = match read.open_table(QUARANTINE) {
            Ok(table) => table,
            Err(redb::TableError::TableDoesNotExist(_)) => return Ok(Vec::new()),
            Err(e) => return Err(db_err(e.into())),
        };
        let mut out = Vec::new();
        for entry in table.iter().map_err(|e| db_err(e.into()))? {
            let (key, text) = entry.map_err(|e| db_err(e.into()))?;
            out.push((key.value().to_string(), text.value().to_string()));
        }
        Ok(out)
    }

    /// The current documents. Cheap: one reference count.
    pub fn snapshot(&self) -> Arc<Documents> {
        self.snapshot.load_full()
    }

    /// Follows the snapshots: the receiver holds the current one and wakes after each commit.
    pub fn watch(&self) -> watch::Receiver<Arc<Documents>> {
        self.published.subscribe()
    }

    /// Commits `changes` as one transaction and publishes the new snapshot.
    pub fn commit(&self, changes: Vec<Change>) -> Result<Arc<Documents>, StoreError> {
        self.transact(|_| Ok::<_, StoreError>((changes, ()))).map(|((), docs)| docs)
    }

    /// Runs `decide` on the current snapshot with writers excluded, then commits the changes it
    /// returns in one durable transaction. Nothing is written when `decide` fails.
    pub fn transact<T, E: From<StoreError>>(
        &self,
        decide: impl FnOnce(&Documents) -> Result<(Vec<Change>, T), E>,
    ) -> Result<(T, Arc<Documents>), E> {
        let _writer = self.writer.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        let current = self.snapshot.load_full();
        let (changes, outcome) = decide(&current)?;
        if changes.is_empty() {
            return Ok((outcome, current));
        }
        let next = current.with_changes(&changes)?;
        self.write(&changes).map_err(|e| StoreError::Database { path: self.path.clone(), source: e })?;
        let next = Arc::new(next);
        self.snapshot.store(next.clone());
        self.published.send_replace(next.clone());
        Ok((outcome, next))
    }

    fn write(&self, changes: &[Change]) -> Result<(), redb::Error> {
        let txn = self.db.begin_write()?;
        {
            let mut table = txn.open_table(DOCUMENTS)?;
            for change in changes {
                match change {
                    Change::Put(doc) => {
                        let id = document_id(doc).expect("checked when the snapshot was updated");
                        table.insert(id.key(), doc.to_string().as_str())?;
                    }
                    Change::Delete(id) => {
                        table.remove(id.key())?;
                    }
                }
            }
        }
        txn.commit()?;
        Ok(())
    }
}

/// Every stored document that parses, and the keys (with the reason) of those that do not.
fn read_documents(db: &Database) -> Result<(Documents, Vec<(String, String)>), redb::Error> {
    let mut documents = Documents::default();
    let mut unreadable = Vec::new();
    let read = db.begin_read()?;
    let table = read.open_table(DOCUMENTS)?;
    for entry in table.iter()? {
        let (key, text) = entry?;
        match serde_json::from_str::<Value>(text.value()) {
            Ok(doc) => {
                documents.by_key.insert(Arc::from(key.value()), Arc::new(doc));
            }
            Err(e) => unreadable.push((key.value().to_string(), format!("not JSON: {e}"))),
        }
    }
    Ok((documents, unreadable))
}

/// Moves the unreadable documents from the documents table to the quarantine table, in one
/// transaction, so the next open does not meet them again.
fn quarantine(db: &Database, unreadable: &[(String, String)]) -> Result<(), redb::Error> {
    let txn = db.begin_write()?;
    {
        let mut documents = txn.open_table(DOCUMENTS)?;
        let mut quarantine = txn.open_table(QUARANTINE)?;
        for (key, _) in unreadable {
            let text = documents.remove(key.as_str())?.map(|text| text.value().to_string());
            if let Some(text) = text {
                quarantine.insert(key.as_str(), text.as_str())?;
            }
        }
    }
    txn.commit()?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    const VNET: &str = "/subscriptions/s/resourceGroups/RG/providers/Microsoft.Network/virtualNetworks/Vnet1";

    #[test]
    fn a_transaction_is_all_or_nothing_and_survives_reopening() {
        let dir = tempfile::tempdir().unwrap();
        let subnet = format!("{VNET}/subnets/a");
        {
            let store = Store::open(dir.path()).unwrap();
            store.commit(vec![Change::Put(json!({"id": VNET})), Change::Put(json!({"id": subnet}))]).unwrap();
            // The second change is invalid, so the first must not be applied either.
            let failed = store.commit(vec![Change::Delete(ResourceId::parse(VNET).unwrap()), Change::Put(json!({}))]);
            assert!(failed.is_err());
            assert_eq!(store.snapshot().len(), 2);
        }
        let store = Store::open(dir.path()).unwrap();
        let docs = store.snapshot();
        let vnet = ResourceId::parse(&VNET.to_lowercase()).unwrap();
        assert_eq!(docs.get(&vnet).unwrap()["id"], VNET, "the caller's casing is kept");
        let children: Vec<_> = docs.children(&vnet, "microsoft.network/virtualnetworks/subnets").collect();
        assert_eq!(children.len(), 1);
        assert_eq!(docs.below(&vnet).count(), 1);
    }

    fn nested(depth: usize) -> Value {
        (1..depth).fold(json!({}), |inner, _| json!({ "a": inner }))
    }

    #[test]
    fn json_depth_counts_levels() {
        assert_eq!(json_depth(&json!(1)), 0);
        assert_eq!(json_depth(&json!({})), 1);
        assert_eq!(json_depth(&json!({"a": [1, {"b": []}]})), 4);
        assert_eq!(json_depth(&nested(130)), 130);
    }

    #[test]
    fn a_document_too_deep_to_read_back_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(dir.path()).unwrap();
        let too_deep = json!({"id": VNET, "properties": nested(MAX_STORED_DEPTH)});
        assert!(matches!(store.commit(vec![Change::Put(too_deep)]), Err(StoreError::TooDeep { .. })));
        let deepest = json!({"id": VNET, "properties": nested(MAX_STORED_DEPTH - 1)});
        store.commit(vec![Change::Put(deepest)]).unwrap();
        drop(store);
        assert_eq!(Store::open(dir.path()).unwrap().snapshot().len(), 1, "what was stored reads back");
    }

    #[test]
    fn an_unreadable_stored_document_is_quarantined_and_the_others_load() {
        let dir = tempfile::tempdir().unwrap();
        let subnet = format!("{VNET}/subnets/a");
        {
            let store = Store::open(dir.path()).unwrap();
            store.commit(vec![Change::Put(json!({"id": VNET})), Change::Put(json!({"id": subnet}))]).unwrap();
        }
        {
            // What an older twin could store: 130 levels, beyond serde_json's limit of 128.
            let db = Database::create(dir.path().join(DATABASE_FILE)).unwrap();
            let txn = db.begin_write().unwrap();
            let text = json!({"id": VNET, "properties": nested(129)}).to_string();
            txn.open_table(DOCUMENTS).unwrap().insert(VNET.to_lowercase().as_str(), text.as_str()).unwrap();
            txn.commit().unwrap();
        }
        let store = Store::open(dir.path()).expect("an unreadable document does not stop the store opening");
        assert_eq!(store.snapshot().len(), 1, "the readable document loads");
        let quarantined = store.quarantined().unwrap();
        assert_eq!(quarantined.len(), 1);
        assert_eq!(quarantined[0].0, VNET.to_lowercase());
        drop(store);
        let store = Store::open(dir.path()).unwrap();
        assert_eq!((store.snapshot().len(), store.quarantined().unwrap().len()), (1, 1), "moved aside for good");
    }
}
