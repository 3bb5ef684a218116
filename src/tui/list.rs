//! Cursor and scroll of a list, kept with the view so that back/forward
//! restore both.

use super::narrow::Narrow;

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ListState {
    pub cursor: usize,
    /// First visible row.
    pub offset: usize,
}

impl ListState {
    /// Move by `delta` rows, clamped to `len`.
    pub fn move_by(&mut self, delta: isize, len: usize) {
        if len == 0 {
            self.cursor = 0;
            return;
        }
        let target = self.cursor as isize + delta;
        self.cursor = target.clamp(0, len as isize - 1) as usize;
    }

    /// Move by `delta` rows, or by `delta` of the rows `/` left.
    pub fn move_among(&mut self, delta: isize, len: usize, narrow: Option<&Narrow>) {
        match narrow {
            Some(narrow) => {
                if let Some(row) = narrow.step(self.cursor, delta) {
                    self.cursor = row;
                }
            }
            None => self.move_by(delta, len),
        }
    }

    pub fn to_end(&mut self, len: usize) {
        self.cursor = len.saturating_sub(1);
    }

    pub fn clamp(&mut self, len: usize) {
        self.cursor = self.cursor.min(len.saturating_sub(1));
        self.offset = self.offset.min(len.saturating_sub(1));
    }

    /// Scroll so that row `line` (the cursor's line) shows in `height` rows.
    pub fn reveal(&mut self, line: usize, height: usize) {
        let height = height.max(1);
        if line < self.offset {
            self.offset = line;
        } else if line >= self.offset + height {
            self.offset = line + 1 - height;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cursor_stays_in_range_and_visible() {
        let mut s = ListState::default();
        s.move_by(-3, 10);
        assert_eq!(s.cursor, 0);
        s.move_by(25, 10);
        assert_eq!(s.cursor, 9);
        s.reveal(s.cursor, 4);
        assert_eq!(s.offset, 6);
        s.reveal(2, 4);
        assert_eq!(s.offset, 2);
    }
}
