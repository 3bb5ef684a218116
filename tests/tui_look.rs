//! Themes, NO_COLOR, and hostile text in the data.

mod tui_support;

use lakescope::lake::Lake;
use lakescope::tui::theme::Theme;
use ratatui::style::Color;
use tui_support::{Harness, invictus};

fn colours(h: &Harness) -> Vec<Color> {
    let buffer = h.buffer();
    buffer
        .content()
        .iter()
        .flat_map(|c| [c.fg, c.bg])
        .filter(|c| *c != Color::Reset)
        .collect()
}

#[test]
fn no_color_draws_without_colour_and_themes_differ() {
    let lake = Lake::open(&invictus()).unwrap();
    let mut mono = Harness::with(lake.clone(), 80, 24, Theme::named("dark", true).unwrap());
    mono.keys("/");
    mono.type_text("bert");
    mono.screen();
    assert!(colours(&mono).is_empty(), "NO_COLOR: no colour at all");
    let mut looks = Vec::new();
    for name in ["dark", "light", "high-contrast"] {
        let mut h = Harness::with(lake.clone(), 80, 24, Theme::named(name, false).unwrap());
        h.screen();
        let c = colours(&h);
        assert!(!c.is_empty(), "{name} has colours");
        looks.push(c);
    }
    assert_ne!(looks[0], looks[1]);
    assert_ne!(looks[1], looks[2]);
}

/// A trail whose identity and user agent carry terminal escape sequences.
const HOSTILE: &str = r#"{"Records":[{"eventVersion":"1.08","eventTime":"2024-05-04T10:00:00Z",
"eventSource":"s3.amazonaws.com","eventName":"GetObject","awsRegion":"us-east-1",
"sourceIPAddress":"198.51.100.7","userAgent":"curl\u001b]52;c;ZXZpbA==\u0007",
"userIdentity":{"type":"IAMUser","principalId":"AIDAEXAMPLE","arn":"arn:aws:iam::111122223333:user/evil\u001b[2J\u001b[31mRED\u202e",
"accountId":"111122223333","accessKeyId":"AKIAEXAMPLEHOSTILE01","userName":"evil"},
"eventID":"11111111-2222-3333-4444-555555555555","eventType":"AwsApiCall","recipientAccountId":"111122223333",
"readOnly":true,"managementEvent":false,"requestParameters":{"bucketName":"b\u001b[0m"}}]}"#;

#[test]
fn escape_sequences_in_the_data_are_shown_escaped() {
    let dir = tempfile::tempdir().unwrap();
    let day = dir.path().join("AWSLogs/111122223333/CloudTrail/us-east-1/2024/05/04");
    std::fs::create_dir_all(&day).unwrap();
    std::fs::write(
        day.join("111122223333_CloudTrail_us-east-1_20240504T1000Z_hostile.json"),
        HOSTILE,
    )
    .unwrap();
    let mut h = Harness::open(dir.path(), 120, 40);
    let screen = h.screen();
    assert!(screen.contains("/evil\\e[2J\\e[31mRED\\u{202e}"), "{screen}");
    h.keys("enter");
    h.cursor_to("198.51.100.7");
    h.keys("enter");
    let screen = h.screen();
    assert!(screen.contains("curl\\e]52;c;ZXZpbA==\\u{7}"), "{screen}");
    for cell in h.buffer().content() {
        assert!(
            !cell.symbol().chars().any(lakescope::text::is_dangerous),
            "a control character reached the screen: {:?}",
            cell.symbol()
        );
    }
}

#[test]
fn fuzzy_matches_are_highlighted_on_screen() {
    use ratatui::style::Modifier;
    let mut h = Harness::open(&invictus(), 120, 40);
    h.keys("/");
    h.type_text("bertjan");
    h.screen();
    let buffer = h.buffer();
    // The first table row (screen row 3) is bert-jan; its matched letters are underlined.
    let row: Vec<(String, bool)> = (0..60)
        .map(|x| {
            let cell = &buffer[(x, 3)];
            (cell.symbol().to_string(), cell.modifier.contains(Modifier::UNDERLINED))
        })
        .collect();
    let text: String = row.iter().map(|(s, _)| s.as_str()).collect();
    assert!(text.starts_with("arn:aws:iam::123837392027:user/bert-jan"), "{text}");
    let marked: String = row.iter().filter(|(_, u)| *u).map(|(s, _)| s.as_str()).collect();
    assert_eq!(marked, "bertjan");
}
