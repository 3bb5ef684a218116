//! What every session of one opened lake shares: the files found, the scan
//! plan (with the files set aside so far), the caches and the progress of
//! one-time work.

use std::path::PathBuf;
use std::sync::{Mutex, RwLock, RwLockReadGuard, RwLockWriteGuard};

use duckdb::Connection;

use super::cache::FlatCache;
use super::discovery::{Discovery, LakeFile};
use super::error::{LakeError, Result};
use super::plan::Plan;
use super::records::FlowIndexes;
use super::scope::Scope;
use super::store::EventStores;

pub(crate) struct LakeInner {
    pub(crate) root: PathBuf,
    pub(crate) discovery: Discovery,
    /// The database every session's connection is cloned from.
    pub(crate) db: Mutex<Connection>,
    plan: RwLock<Plan>,
    /// Where raw CloudTrail is kept in flat form; None reads JSON every time.
    pub(crate) cache: Option<FlatCache>,
    /// The de-duplicated event stores of this lake's files.
    pub(crate) stores: EventStores,
    /// The flow index of this lake's flow files (questions about one address).
    pub(crate) flow_indexes: FlowIndexes,
    /// The one-time work under way, for progress displays.
    conversion: Mutex<Option<Conversion>>,
}

/// Progress of one-time work on the lake: converting a raw trail folder
/// group, or writing the de-duplicated event store.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Conversion {
    /// What is being done, up to the unit counted
    /// (`converting CloudTrail 012345678901 us-east-1: day folder`).
    pub task: String,
    /// Units finished so far, of `total`.
    pub done: usize,
    pub total: usize,
}

impl Conversion {
    /// `converting …: day folder 3/7`.
    pub fn describe(&self) -> String {
        format!("{} {}/{}", self.task, self.done + 1, self.total)
    }
}

impl LakeInner {
    pub(crate) fn new(
        root: PathBuf,
        discovery: Discovery,
        db: Connection,
        plan: Plan,
        cache: Option<FlatCache>,
    ) -> LakeInner {
        let stores = EventStores::new(cache.as_ref(), &plan);
        let flow_indexes = FlowIndexes::new(cache.as_ref(), &plan);
        LakeInner {
            root,
            discovery,
            db: Mutex::new(db),
            plan: RwLock::new(plan),
            cache,
            stores,
            flow_indexes,
            conversion: Mutex::new(None),
        }
    }

    pub(crate) fn plan(&self) -> Result<RwLockReadGuard<'_, Plan>> {
        self.plan.read().map_err(|_| LakeError::poisoned())
    }

    pub(crate) fn plan_mut(&self) -> Result<RwLockWriteGuard<'_, Plan>> {
        self.plan.write().map_err(|_| LakeError::poisoned())
    }

    /// The discovered files a scope admits (set-aside ones included).
    pub(crate) fn files_in(&self, scope: &Scope) -> Vec<&LakeFile> {
        self.discovery.files.iter().filter(|f| scope.admits(f)).collect()
    }

    pub(crate) fn conversion(&self) -> Option<Conversion> {
        self.conversion.lock().ok().and_then(|c| c.clone())
    }

    pub(crate) fn set_conversion(&self, state: Option<Conversion>) {
        if let Ok(mut c) = self.conversion.lock() {
            *c = state;
        }
    }

    /// Report one-time work: `task` with `done` of `total` units finished.
    pub(crate) fn progress(&self, task: &str, done: usize, total: usize) {
        self.set_conversion(Some(Conversion {
            task: task.to_string(),
            done,
            total,
        }));
    }
}
