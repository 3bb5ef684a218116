//! Where each region of the screen goes; shared by drawing and mouse handling.

use ratatui::layout::Rect;

pub struct Areas {
    /// Lake, scope and warnings.
    pub header: Rect,
    /// Breadcrumb: the view's title and its place in the history.
    pub title: Rect,
    pub body: Rect,
    /// Status, or the command/filter line while typing.
    pub status: Rect,
}

pub fn areas(size: Rect) -> Areas {
    let h = size.height;
    let line = |y: u16| Rect::new(size.x, size.y + y.min(h.saturating_sub(1)), size.width, 1.min(h));
    Areas {
        header: line(0),
        title: line(1),
        body: Rect::new(size.x, size.y + 2.min(h), size.width, h.saturating_sub(3)),
        status: line(h.saturating_sub(1)),
    }
}
