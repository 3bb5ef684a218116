//! What `/` leaves of a table: the rows holding the text typed, and the
//! window of them drawn (see [`crate::tui::search`] for how they are found).

use std::cell::Cell;

/// The rows a table shows while `/` narrows it.
#[derive(Debug)]
pub struct Narrow {
    pub text: String,
    /// The matching rows, in table order.
    pub rows: Vec<usize>,
    /// First matching row drawn: kept by the last frame (as ratatui's own
    /// table state is) so the window scrolls rather than jumps.
    window: Cell<usize>,
}

impl Narrow {
    /// `rows`: the matching rows, ascending.
    pub fn new(text: &str, rows: Vec<usize>) -> Narrow {
        Narrow {
            text: text.to_string(),
            rows,
            window: Cell::new(0),
        }
    }

    /// Where `row` stands among the matches (None: it is hidden).
    pub fn position(&self, row: usize) -> Option<usize> {
        self.rows.binary_search(&row).ok()
    }

    /// The matching row `step` matches from the cursor, clamped to the
    /// first and last (a hidden cursor counts from the next match).
    pub fn step(&self, cursor: usize, step: isize) -> Option<usize> {
        let last = self.rows.len().checked_sub(1)?;
        let at = match self.rows.binary_search(&cursor) {
            Ok(at) => at as isize,
            Err(next) if step > 0 => next as isize - 1,
            Err(next) => next as isize,
        };
        let to = at.saturating_add(step).clamp(0, last as isize) as usize;
        self.rows.get(to).copied()
    }

    /// The first match to draw in `height` lines with the cursor's match
    /// `at` in view.
    pub fn window(&self, at: usize, height: usize) -> usize {
        let height = height.max(1);
        let mut start = self.window.get();
        if at < start {
            start = at;
        } else if at >= start + height {
            start = at + 1 - height;
        }
        self.window.set(start);
        start
    }

    /// The first match (or line, for a screen drawing more than rows)
    /// the last frame drew.
    pub fn start(&self) -> usize {
        self.window.get()
    }

    /// The row drawn on table line `line` (0: the first row under the header).
    pub fn at_line(&self, line: usize) -> Option<usize> {
        self.rows.get(self.window.get() + line).copied()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn steps_stay_on_matches_and_the_window_follows() {
        let n = Narrow::new("x", vec![2, 5, 9, 14]);
        assert_eq!(n.step(5, 1), Some(9));
        assert_eq!(n.step(5, -1), Some(2));
        assert_eq!(n.step(5, 100), Some(14));
        assert_eq!(n.step(5, -100), Some(2));
        // A hidden cursor: down goes to the next match, up to the one before.
        assert_eq!(n.step(6, 1), Some(9));
        assert_eq!(n.step(6, -1), Some(5));
        assert_eq!(n.position(9), Some(2));
        assert_eq!(n.position(3), None);
        assert_eq!(n.window(3, 2), 2);
        assert_eq!(n.at_line(0), Some(9));
        assert_eq!(n.window(0, 2), 0);
        assert_eq!(Narrow::new("x", vec![]).step(0, 1), None);
    }
}
