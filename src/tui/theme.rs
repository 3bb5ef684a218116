//! Colours as data: `themes/*.toml`, embedded in the binary. `NO_COLOR`
//! turns every colour off and keeps only bold/reverse/underline.

use std::path::{Path, PathBuf};
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
    #[error("unknown theme {0:?} (known: {1})")]
    Unknown(String, String),
    #[error("theme file {path}: {source}")]
    Io {
        path: String,
        #[source]
        source: std::io::Error,
    },
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
    /// A theme by name: an embedded one, else `<name>.toml` of the user's
    /// themes folder (`themes/` in the config dir); with `no_color`, its
    /// monochrome form.
    pub fn named(name: &str, no_color: bool) -> Result<Theme, ThemeError> {
        Theme::named_in(name, no_color, user_themes_dir().as_deref())
    }

    /// [`Theme::named`] with the user's themes in `dir`.
    pub fn named_in(name: &str, no_color: bool, dir: Option<&Path>) -> Result<Theme, ThemeError> {
        let text = match THEMES.iter().find(|(n, _)| *n == name) {
            Some((_, text)) => text.to_string(),
            None => user_theme(name, dir)?,
        };
        if no_color {
            return Ok(Theme::monochrome(name));
        }
        Theme::parse(name, &text)
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

/// Where the user's own themes are: `themes/` in the config dir.
pub fn user_themes_dir() -> Option<PathBuf> {
    directories::ProjectDirs::from("", "", "lakescope").map(|d| d.config_dir().join("themes"))
}

/// The text of the user's theme `name` (a plain name: no path in it).
fn user_theme(name: &str, dir: Option<&Path>) -> Result<String, ThemeError> {
    let mut known: Vec<String> = THEMES.iter().map(|(n, _)| n.to_string()).collect();
    let plain = !name.is_empty() && name.chars().all(|c| c.is_alphanumeric() || c == '-' || c == '_');
    if let Some(dir) = dir {
        let path = dir.join(format!("{name}.toml"));
        if plain && path.is_file() {
            return std::fs::read_to_string(&path).map_err(|source| ThemeError::Io {
                path: path.display().to_string(),
                source,
            });
        }
        let mut own: Vec<String> = std::fs::read_dir(dir)
            .map(|d| {
                d.flatten()
                    .filter_map(|e| e.file_name().to_str()?.strip_suffix(".toml").map(str::to_string))
                    .collect()
            })
            .unwrap_or_default();
        own.sort();
        known.extend(own);
    }
    Err(ThemeError::Unknown(name.to_string(), known.join(", ")))
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

    #[test]
    fn the_users_themes_load_by_name_beside_the_embedded_ones() {
        let dir = tempfile::tempdir().unwrap();
        let dark = THEMES[0].1.replace("name = \"dark\"", "name = \"solar\"");
        std::fs::write(dir.path().join("solar.toml"), dark).unwrap();
        std::fs::write(dir.path().join("broken.toml"), "text = 12").unwrap();
        let theme = Theme::named_in("solar", false, Some(dir.path())).unwrap();
        assert_eq!(theme.name, "solar");
        assert_eq!(Theme::named_in("dark", false, Some(dir.path())).unwrap().name, "dark");
        let err = Theme::named_in("neon", false, Some(dir.path()))
            .unwrap_err()
            .to_string();
        assert!(err.contains("dark, light, high-contrast, broken, solar"), "{err}");
        assert!(
            Theme::named_in("broken", false, Some(dir.path()))
                .unwrap_err()
                .to_string()
                .contains("theme broken")
        );
        // A name is a name, not a path out of the folder.
        assert!(Theme::named_in("../solar", false, Some(dir.path())).is_err());
    }
}
