//! Preparing a lake ahead of time, so that later questions are answered
//! warm: `lakescope index`.

use std::sync::mpsc::{self, Receiver, TryRecvError};
use std::time::Duration;

use super::error::{LakeError, Result};
use super::handle::Lake;
use super::model::Indexed;
use super::records::build_flow_index;
use super::scope::Scope;
use super::session::{Halt, Session};

/// Convert the raw trail, write the event store and the flow index of the
/// whole lake (each only if it is not there yet).
pub fn index(session: &Session) -> Result<Indexed> {
    let scope = Scope::default();
    session.fill_cache(&scope)?;
    let event_store = session.write_event_store(&scope)?.is_some();
    let lake = session.lake();
    let progress = |task: &str, done: usize, total: usize| lake.progress(task, done, total);
    let flows = build_flow_index(session, &progress);
    lake.set_conversion(None);
    let flow_index = flows?.is_some();
    let set_aside = lake.plan()?.problems.clone();
    Ok(Indexed {
        files: lake.discovery.files.len(),
        event_store,
        flow_index,
        set_aside,
    })
}

/// Convert the raw trail and write the event store of the whole lake
/// (only the days new or changed files touch, when an earlier store is
/// there); the flow index is left as it is.
pub fn index_events(session: &Session) -> Result<Indexed> {
    let scope = Scope::default();
    let event_store = session.write_event_store(&scope)?.is_some();
    let lake = session.lake();
    lake.set_conversion(None);
    Ok(Indexed {
        files: lake.discovery.files.len(),
        event_store,
        flow_index: false,
        set_aside: lake.plan()?.problems.clone(),
    })
}

/// The whole lake's event store written on a thread of its own, while
/// questions are answered from the days it has finished (newest first):
/// the workbench on a lake never opened, and `--partial`. Dropping it
/// stops the build; the days it finished stay in the cache for the next.
pub struct Preparation {
    lake: Lake,
    halt: Halt,
    done: Receiver<Result<()>>,
    ended: bool,
}

impl Preparation {
    /// Start writing the store; None when it is there already, or when
    /// there is no cache directory to write it to.
    pub fn start(lake: &Lake) -> Result<Option<Preparation>> {
        let session = lake.session()?;
        let stores = &session.lake().stores;
        if !stores.enabled() || session.finished_store(&Scope::default())?.is_some() {
            return Ok(None);
        }
        stores.set_progressive(true);
        let halt = session.halt_handle();
        let (tx, done) = mpsc::channel();
        let spawned = std::thread::Builder::new()
            .name("lakescope-index".into())
            .spawn(move || {
                let result = session.write_event_store(&Scope::default()).map(|_| ());
                let _ = tx.send(result);
            });
        if let Err(err) = spawned {
            lake.answer_partially(false);
            return Err(LakeError::Thread {
                what: "indexing",
                source: err,
            });
        }
        Ok(Some(Preparation {
            lake: lake.clone(),
            halt,
            done,
            ended: false,
        }))
    }

    /// Once, when the build has ended: how.
    pub fn poll(&mut self) -> Option<Result<()>> {
        if self.ended {
            return None;
        }
        let result = match self.done.try_recv() {
            Ok(result) => result,
            Err(TryRecvError::Empty) => return None,
            Err(TryRecvError::Disconnected) => Err(LakeError::poisoned()),
        };
        self.ended = true;
        Some(result)
    }

    /// Wait until the newest days answer some events (or the build has
    /// ended): the newest partition folders may hold only late deliveries
    /// of the day before.
    pub fn wait_for_first_day(&mut self) -> Option<Result<()>> {
        loop {
            if let Some(ended) = self.poll() {
                return Some(ended);
            }
            if self.lake.partial_answers().is_some_and(|p| p.events > 0) {
                return None;
            }
            std::thread::sleep(Duration::from_millis(20));
        }
    }
}

impl Drop for Preparation {
    fn drop(&mut self) {
        if !self.ended {
            self.halt.halt();
        }
        self.lake.answer_partially(false);
    }
}
