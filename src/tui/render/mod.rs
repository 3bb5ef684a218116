//! Drawing shared by the screens (cells, tables) and the app's chrome
//! around them (header, breadcrumb, status line, help, completions).

pub mod cells;
pub mod chrome;
pub mod help;
pub mod table;
