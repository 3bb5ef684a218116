//! Preparing a lake ahead of time, so that later questions are answered
//! warm: `lakescope index`.

use super::error::Result;
use super::model::Indexed;
use super::records::build_flow_index;
use super::scope::Scope;
use super::session::Session;

/// Convert the raw trail, write the event store and the flow index of the
/// whole lake (each only if it is not there yet).
pub fn index(session: &Session) -> Result<Indexed> {
    let scope = Scope::default();
    session.fill_cache(&scope)?;
    let event_store = session.event_store(&scope)?.is_some();
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
