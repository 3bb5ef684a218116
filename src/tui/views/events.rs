//! The events table, one page of events at a time: a 10M-event scope
//! never sits in memory, only the page on screen.

use super::list::ListState;
use super::target::EventFilter;
use crate::lake::EventRow;

/// Rows per page fetched from the engine.
pub const PAGE: u64 = 200;

#[derive(Debug, Clone)]
pub struct EventsView {
    pub filter: EventFilter,
    /// Offset of the page in `rows`.
    pub offset: u64,
    pub rows: Vec<EventRow>,
    pub list: ListState,
    /// Put the cursor on the last row when the page arrives (paging up).
    pub land_at_end: bool,
}

impl EventsView {
    pub fn new(filter: EventFilter) -> EventsView {
        EventsView {
            filter,
            offset: 0,
            rows: Vec::new(),
            list: ListState::default(),
            land_at_end: false,
        }
    }

    pub fn set_rows(&mut self, rows: Vec<EventRow>) {
        self.rows = rows;
        if self.land_at_end {
            self.list.to_end(self.rows.len());
            self.land_at_end = false;
        } else {
            self.list = ListState::default();
        }
        self.list.clamp(self.rows.len());
    }

    /// A full page may have a successor.
    pub fn has_next(&self) -> bool {
        self.rows.len() as u64 == PAGE
    }

    /// Offset of the next page, if moving down past the end should load one.
    pub fn next_page(&mut self) -> Option<u64> {
        self.has_next().then(|| {
            self.offset += PAGE;
            self.offset
        })
    }

    pub fn previous_page(&mut self, land_at_end: bool) -> Option<u64> {
        (self.offset > 0).then(|| {
            self.offset = self.offset.saturating_sub(PAGE);
            self.land_at_end = land_at_end;
            self.offset
        })
    }

    pub fn selected(&self) -> Option<&EventRow> {
        self.rows.get(self.list.cursor)
    }
}
