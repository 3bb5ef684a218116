//! Colours as data: `themes/*.toml`, embedded in the binary. `NO_COLOR`
//! turns every colour off and keeps only bold/reverse/underline.

use std::str::FromStr;

use ratatui::style::{Color, Modifier, Style};
use serde::Deserialize;

/// The embedded themes, by name.
pub const THEMES: [(&str, &str); 3] = [
    ("dark", include_str!("../../themes/dark.toml")),
    ("light", include_str!("../../themes/light.toml")),
    ("high-contrast", include_str!("../../themes/high-contrast.toml")),
];

#[derive(Debug, thiserror::Error)]
pub enum ThemeError {
    #[error("unknown theme {0:?} (known: dark, light, high-contrast)")]
    Unknown(String),
    #[error("theme {name}: {source}")]
    Toml {
        name: String,
        #[source]
        source: toml::de::Error,
    },
    #[error("theme {name}: {field} = {value:?} is not a colour")]
    Colour {
        name: String,
        field: &'static str,
        value: String,
    },
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct ThemeFile {
    name: String,
    text: String,
    muted: String,
    header_fg: String,
    header_bg: String,
    title: String,
    heading: String,
    column: String,
    selected_fg: String,
    selected_bg: String,
    matched: String,
    link: String,
    error: String,
    warning: String,
    ok: String,
    border: String,
}

/// Ready-to-use styles.
#[derive(Debug, Clone, PartialEq)]
pub struct Theme {
    pub name: String,
    pub text: Style,
    pub muted: Style,
    pub header: Style,
    pub title: Style,
    pub heading: Style,
    pub column: Style,
    pub selected: Style,
    pub matched: Style,
    pub link: Style,
    pub error: Style,
    pub warning: Style,
    pub ok: Style,
    pub border: Style,
}

impl Theme {
    /// An embedded theme by name; with `no_color`, its monochrome form.
    pub fn named(name: &str, no_color: bool) -> Result<Theme, ThemeError> {
        let text = THEMES
            .iter()
            .find(|(n, _)| *n == name)
            .map(|(_, t)| *t)
            .ok_or_else(|| ThemeError::Unknown(name.to_string()))?;
        if no_color {
            return Ok(Theme::monochrome(name));
        }
        Theme::parse(name, text)
    }

    pub fn parse(name: &str, text: &str) -> Result<Theme, ThemeError> {
        let file: ThemeFile = toml::from_str(text).map_err(|source| ThemeError::Toml {
            name: name.to_string(),
            source,
        })?;
        let c = |field: &'static str, value: &str| -> Result<Color, ThemeError> {
            Color::from_str(value).map_err(|_| ThemeError::Colour {
                name: name.to_string(),
                field,
                value: value.to_string(),
            })
        };
        let fg =
            |field: &'static str, value: &str| -> Result<Style, ThemeError> { Ok(Style::new().fg(c(field, value)?)) };
        Ok(Theme {
            text: fg("text", &file.text)?,
            muted: fg("muted", &file.muted)?,
            header: Style::new()
                .fg(c("header_fg", &file.header_fg)?)
                .bg(c("header_bg", &file.header_bg)?)
                .add_modifier(Modifier::BOLD),
            title: fg("title", &file.title)?.add_modifier(Modifier::BOLD),
            heading: fg("heading", &file.heading)?.add_modifier(Modifier::BOLD),
            column: fg("column", &file.column)?.add_modifier(Modifier::BOLD),
            selected: Style::new()
                .fg(c("selected_fg", &file.selected_fg)?)
                .bg(c("selected_bg", &file.selected_bg)?),
            matched: fg("matched", &file.matched)?.add_modifier(Modifier::BOLD | Modifier::UNDERLINED),
            link: fg("link", &file.link)?,
            error: fg("error", &file.error)?,
            warning: fg("warning", &file.warning)?,
            ok: fg("ok", &file.ok)?,
            border: fg("border", &file.border)?,
            name: file.name,
        })
    }

    /// No colour at all (https://no-color.org): emphasis by modifiers only.
    pub fn monochrome(name: &str) -> Theme {
        let plain = Style::new();
        Theme {
            name: format!("{name} (NO_COLOR)"),
            text: plain,
            muted: plain,
            header: plain.add_modifier(Modifier::REVERSED | Modifier::BOLD),
            title: plain.add_modifier(Modifier::BOLD),
            heading: plain.add_modifier(Modifier::BOLD),
            column: plain.add_modifier(Modifier::BOLD),
            selected: plain.add_modifier(Modifier::REVERSED),
            matched: plain.add_modifier(Modifier::BOLD | Modifier::UNDERLINED),
            link: plain,
            error: plain.add_modifier(Modifier::BOLD),
            warning: plain.add_modifier(Modifier::BOLD),
            ok: plain,
            border: plain,
        }
    }
}

/// Does the environment ask for no colour? (`NO_COLOR` set and not empty.)
pub fn no_color_requested() -> bool {
    std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_embedded_theme_parses() {
        for (name, _) in THEMES {
            let theme = Theme::named(name, false).unwrap();
            assert_eq!(theme.name, name);
        }
        assert!(Theme::named("neon", false).is_err());
    }

    #[test]
    fn no_color_has_no_colours() {
        let theme = Theme::named("dark", true).unwrap();
        for style in [theme.text, theme.header, theme.selected, theme.matched, theme.error] {
            assert_eq!(style.fg, None);
            assert_eq!(style.bg, None);
        }
    }
}
