//! The estate as the DNS face sees it: one [`Model`] with the engine's [`Resolver`] prepared over
//! it, and the views the estate has. Built once per store commit and shared by every listener.

use crate::store::Documents;
use privlink_engine::dns::{view_of, Querier, Resolution, Resolver, View};
use privlink_model::{DnsName, Model, Origin, RecordType, ResourceId};
use std::collections::BTreeMap;
use std::fmt;
use std::sync::Arc;

self_cell::self_cell!(
    /// A model and the resolver that borrows it, kept together so both can be swapped as one.
    struct Engine {
        owner: Model,
        #[covariant]
        dependent: Resolver,
    }
);

/// Who a listener answers for: the querier of [`view_of`].
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum ViewKey {
    /// Public DNS only.
    Internet,
    /// A VM in this VNet, using the VNet's DNS settings.
    VirtualNetwork(ResourceId),
    /// An App Service app with VNet integration, with its own DNS settings.
    Site(ResourceId),
}

impl ViewKey {
    pub fn querier(&self) -> Querier {
        match self {
            ViewKey::Internet => Querier::Internet,
            ViewKey::VirtualNetwork(id) => Querier::VirtualNetwork(id.clone()),
            ViewKey::Site(id) => Querier::Site(id.clone()),
        }
    }

    /// `internet`, or the VNet's or site's ARM id as the estate spells it.
    pub fn label(&self) -> String {
        self.to_string()
    }
}

impl fmt::Display for ViewKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ViewKey::Internet => f.write_str("internet"),
            ViewKey::VirtualNetwork(id) | ViewKey::Site(id) => write!(f, "{id}"),
        }
    }
}

/// One immutable state of the estate, ready to answer queries.
pub struct DnsSnapshot {
    /// The store snapshot this was built from (`None` for a fixed model).
    source: Option<Arc<Documents>>,
    engine: Engine,
    views: BTreeMap<ViewKey, View>,
    /// Answers rendered from this snapshot (it dies with it).
    pub(crate) answers: super::packet::AnswerCache,
}

impl DnsSnapshot {
    /// A snapshot of a model that never changes (`privlink dns --estate PATH`).
    pub fn from_model(model: Model) -> DnsSnapshot {
        DnsSnapshot::build(model, None)
    }

    /// Types the twin's documents into a model exactly as the loader does for files.
    pub fn from_documents(documents: Arc<Documents>) -> DnsSnapshot {
        DnsSnapshot::build(model_of(&documents), Some(documents))
    }

    fn build(model: Model, source: Option<Arc<Documents>>) -> DnsSnapshot {
        let mut keys = vec![ViewKey::Internet];
        keys.extend(model.resources.virtual_networks.keys().cloned().map(ViewKey::VirtualNetwork));
        keys.extend(
            model
                .resources
                .sites
                .iter()
                .filter(|(_, site)| site.integration_subnet.is_some())
                .map(|(id, _)| ViewKey::Site(id.clone())),
        );
        let views = keys.into_iter().map(|key| (key.clone(), view_of(&model, &key.querier()))).collect();
        DnsSnapshot { source, engine: Engine::new(model, |m| Resolver::new(m)), views, answers: Default::default() }
    }

    /// Whether this snapshot was built from exactly these documents.
    pub fn is_built_from(&self, documents: &Arc<Documents>) -> bool {
        self.source.as_ref().is_some_and(|s| Arc::ptr_eq(s, documents))
    }

    pub fn model(&self) -> &Model {
        self.engine.borrow_owner()
    }

    /// The views of the estate: `internet`, each VNet, each VNet-integrated site.
    pub fn view_keys(&self) -> impl Iterator<Item = &ViewKey> {
        self.views.keys()
    }

    /// The view of `key`; one that left the estate gets the engine's "not in the estate" view.
    pub fn view(&self, key: &ViewKey) -> std::borrow::Cow<'_, View> {
        match self.views.get(key) {
            Some(view) => std::borrow::Cow::Borrowed(view),
            None => std::borrow::Cow::Owned(view_of(self.model(), &key.querier())),
        }
    }

    /// The engine's answer to `name` `record_type` as `key` sees it.
    pub fn resolve(&self, key: &ViewKey, name: &DnsName, record_type: RecordType) -> Resolution {
        let view = self.view(key);
        self.engine.borrow_dependent().resolve(&view, name, record_type)
    }
}

/// The origin given to documents that come from the twin's store.
const STORE_ORIGIN: &str = "twin-store";

/// The store's documents as a model, through the loader's pipeline for documents already held.
pub fn model_of(documents: &Documents) -> Model {
    privlink_load::load_documents(documents.iter().map(|(_, doc)| (doc.clone(), Origin::new(STORE_ORIGIN, ""))))
}
