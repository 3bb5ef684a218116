//! `lakescope-bench frames`: the render benchmark. Every screen reachable
//! by keys or `:` commands, at 120×40 and 240×70, drawn N times onto
//! ratatui's TestBackend (as the TUI tests drive the app), at the top of
//! the page, half-way down and at the end; then key to frame while a slow
//! query is in flight.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use anyhow::{Context, Result, bail};
use lakescope::lake::Lake;
use lakescope::tui::keymap::{Key, Keymap};
use lakescope::tui::screen::Load;
use lakescope::tui::theme::Theme;
use lakescope::tui::{App, Options};
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use ratatui::layout::Rect;

/// The budget of one frame.
const BUDGET: Duration = Duration::from_millis(5);
const SIZES: [(u16, u16); 2] = [(120, 40), (240, 70)];
/// Key presses timed while the query is in flight (at most).
const KEY_PRESSES: usize = 50;

pub struct FrameOptions {
    pub lake: PathBuf,
    pub frames: usize,
}

/// The report, and whether every frame was within budget.
pub struct Outcome {
    pub report: String,
    pub passed: bool,
}

/// A screen and how to reach it from the actors page: `:` command lines or key names.
struct Visit {
    name: &'static str,
    steps: Vec<Step>,
    /// Keys that leave it again (an overlay).
    leave: &'static str,
}

#[derive(Clone)]
enum Step {
    Command(String),
    Keys(&'static str),
}

struct Drive {
    app: App,
    terminal: Terminal<TestBackend>,
}

impl Drive {
    fn open(lake: &Path, (width, height): (u16, u16)) -> Result<Drive> {
        let lake = Lake::open(lake).context("open the lake")?;
        let options = Options {
            theme: Theme::named("dark", false).context("the dark theme")?,
            keymap: Keymap::defaults().context("the default keys")?,
            live_clock: false,
            size: Rect::new(0, 0, width, height),
            scope: Default::default(),
            index_in_background: false,
            cases: None,
            athena: None,
        };
        let app = App::new(lake, options)?;
        let terminal = Terminal::new(TestBackend::new(width, height))?;
        let mut drive = Drive { app, terminal };
        drive.settle()?;
        Ok(drive)
    }

    fn press(&mut self, name: &str) -> Result<()> {
        let key = Key::parse(name).with_context(|| format!("bad key {name:?}"))?;
        self.app.handle_key(KeyEvent::new(key.code, key.modifiers));
        Ok(())
    }

    fn keys(&mut self, keys: &str) -> Result<()> {
        for name in keys.split(' ').filter(|k| !k.is_empty()) {
            self.press(name)?;
            self.settle()?;
        }
        Ok(())
    }

    fn command(&mut self, line: &str) -> Result<()> {
        self.keys(":")?;
        for c in line.chars() {
            self.app.handle_key(KeyEvent::new(KeyCode::Char(c), KeyModifiers::NONE));
        }
        self.keys("enter")
    }

    /// Tick until the page has its data, as the tests' harness does (at most 10 min).
    fn settle(&mut self) -> Result<()> {
        let start = Instant::now();
        loop {
            self.app.tick();
            if !matches!(self.app.page().load, Load::Pending(_)) {
                return Ok(());
            }
            if start.elapsed() > Duration::from_secs(600) {
                bail!("query still running after 10 minutes");
            }
            std::thread::sleep(Duration::from_millis(2));
        }
    }

    fn draw(&mut self) -> Result<Duration> {
        let start = Instant::now();
        self.terminal.draw(|f| self.app.render(f))?;
        Ok(start.elapsed())
    }
}

/// Who and what to visit, from the lake's TRUTH.json when it has an intrusion.
struct Subjects {
    actor: Option<String>,
    ip: Option<String>,
    key: Option<String>,
    resource: Option<String>,
    finding: Option<String>,
}

fn subjects(lake: &Path) -> Subjects {
    let truth: serde_json::Value = std::fs::read_to_string(lake.join("TRUTH.json"))
        .ok()
        .and_then(|text| serde_json::from_str(&text).ok())
        .unwrap_or_default();
    let text = |v: &serde_json::Value| v.as_str().map(String::from);
    let intrusion = &truth["intrusion"];
    Subjects {
        actor: text(&intrusion["intruder_arn"]),
        ip: text(&intrusion["new_ip"]),
        key: text(&intrusion["leaked_key"]),
        resource: text(&intrusion["bucket_policy_change"]["arn"]),
        finding: text(&truth["network"]["guardduty"]["uid"]),
    }
}

fn visits(s: &Subjects) -> (Vec<Visit>, Vec<String>) {
    use Step::{Command as C, Keys as K};
    let visit = |name, steps| Visit { name, steps, leave: "" };
    let mut skipped = Vec::new();
    // The dossier: the intruder, else the first actor of the table.
    let dossier = match &s.actor {
        Some(arn) => vec![C(format!("actor {arn}"))],
        None => vec![C("actors".into()), K("g enter")],
    };
    let events = match &s.actor {
        Some(arn) => format!("events actor={arn}"),
        None => "events".into(),
    };
    let mut out = vec![
        visit("actors", vec![C("actors".into())]),
        visit("dossier", dossier.clone()),
        visit("timeline (dossier, t)", [dossier, vec![K("t")]].concat()),
        visit("timeline (whole lake)", vec![C("events".into()), K("t")]),
    ];
    for (name, value, line) in [
        ("ip report", &s.ip, "ip"),
        ("key report", &s.key, "key"),
        ("resource report", &s.resource, "resource"),
        ("config (resource)", &s.resource, "config"),
        ("finding", &s.finding, "finding"),
    ] {
        match value {
            Some(v) => out.push(visit(name, vec![C(format!("{line} {v}"))])),
            None => skipped.push(format!("{name}: no subject in TRUTH.json")),
        }
    }
    out.extend([
        visit("events", vec![C(events.clone())]),
        visit("event inspector", vec![C(events), K("enter")]),
        visit("sql (10k rows)", vec![C("sql SELECT * FROM ev LIMIT 10000".into())]),
        visit("findings", vec![C("findings".into())]),
        visit("partitions", vec![C("partitions".into())]),
        visit("problems", vec![C("problems".into())]),
    ]);
    match &s.ip {
        Some(ip) => out.push(visit("flows", vec![C(format!("flows ip={ip}"))])),
        None => skipped.push("flows: no IP in TRUTH.json".into()),
    }
    out.push(Visit {
        name: "help overlay",
        steps: vec![C("actors".into()), K("?")],
        leave: "esc",
    });
    out.push(Visit {
        name: "command completion",
        steps: vec![C("actors".into()), K(": tab")],
        leave: "esc esc",
    });
    (out, skipped)
}

/// Frame times of one screen at one size, over the three positions.
struct Row {
    screen: &'static str,
    size: (u16, u16),
    times: Vec<Duration>,
    worst_at: &'static str,
    /// Rows (lines) of the page drawn.
    rows: usize,
}

fn measure(drive: &mut Drive, visit: &Visit, size: (u16, u16), frames: usize) -> Result<Row> {
    for step in &visit.steps {
        match step {
            Step::Command(line) => drive.command(line)?,
            Step::Keys(keys) => drive.keys(keys)?,
        }
    }
    let rows = drive.app.page().screen.rows();
    let mut times = Vec::with_capacity(frames * 3);
    let mut worst = (Duration::ZERO, "top");
    // Top, a screenful of `j` down, end (`G`).
    for (at, keys) in [("top", ""), ("middle", "middle"), ("end", "G")] {
        if keys == "middle" {
            for _ in 0..(size.1 as usize) {
                drive.press("j")?;
            }
            drive.settle()?;
        } else {
            drive.keys(keys)?;
        }
        for _ in 0..frames {
            let t = drive.draw()?;
            if t > worst.0 {
                worst = (t, at);
            }
            times.push(t);
        }
    }
    drive.keys(visit.leave)?;
    Ok(Row {
        screen: visit.name,
        size,
        times,
        worst_at: worst.1,
        rows,
    })
}

fn ms(d: Duration) -> String {
    format!("{:.3}", d.as_secs_f64() * 1e3)
}

/// Key to frame: a whole-lake timeline submitted, then keys pressed and
/// drawn while it is in flight (ticking between them, as the TUI loop does).
fn key_to_frame(lake: &Path, out: &mut String) -> Result<bool> {
    let mut drive = Drive::open(lake, (240, 70))?;
    drive.command("events")?;
    drive.press("t")?;
    let mut times = Vec::new();
    let submitted = Instant::now();
    for i in 0..KEY_PRESSES {
        drive.app.tick();
        if !drive.app.is_loading() {
            break;
        }
        let start = Instant::now();
        drive.press(if i % 2 == 0 { "j" } else { "k" })?;
        drive.terminal.draw(|f| drive.app.render(f))?;
        times.push(start.elapsed());
    }
    let in_flight = submitted.elapsed();
    drive.settle()?;
    let answered = submitted.elapsed();
    writeln!(out, "\n### Key to frame while a query is in flight (240×70)\n")?;
    let Some(max) = times.iter().max() else {
        writeln!(
            out,
            "Not measured: the whole-lake timeline was answered ({} ms) before the first key; \
             use a larger lake to have a query in flight.",
            ms(answered)
        )?;
        return Ok(true);
    };
    let passed = *max <= BUDGET;
    writeln!(
        out,
        "Whole-lake timeline in flight ({} ms until answered): {} key presses (j/k) + draw while \
         `app.is_loading()`, over {} ms: max {} ms, median {} ms — {}",
        ms(answered),
        times.len(),
        ms(in_flight),
        ms(*max),
        ms(percentile(&mut times.clone(), 0.5)),
        if passed { "pass" } else { "FAIL" }
    )?;
    if times.len() < KEY_PRESSES {
        writeln!(
            out,
            "\n(The query was answered after {} of {KEY_PRESSES} presses.)",
            times.len()
        )?;
    }
    Ok(passed)
}

fn percentile(times: &mut [Duration], p: f64) -> Duration {
    times.sort();
    let i = ((times.len() as f64 * p).ceil() as usize).clamp(1, times.len()) - 1;
    times[i]
}

pub fn run(options: &FrameOptions) -> Result<Outcome> {
    let lake = &options.lake;
    let (visits, skipped) = visits(&subjects(lake));
    let mut rows = Vec::new();
    for size in SIZES {
        let mut drive = Drive::open(lake, size)?;
        for visit in &visits {
            let row = measure(&mut drive, visit, size, options.frames)
                .with_context(|| format!("{} at {}×{}", visit.name, size.0, size.1))?;
            rows.push(row);
        }
    }
    let mut out = String::new();
    writeln!(
        out,
        "## Frames: {} ({} frames per position)\n",
        lake.display(),
        options.frames
    )?;
    writeln!(
        out,
        "Positions: top, {{height}} × `j`, end (`G`); times of `terminal.draw(|f| app.render(f))` on a TestBackend.\n"
    )?;
    writeln!(
        out,
        "| screen | size | rows | median ms | p99 ms | max ms | worst at | ≤ 5 ms |"
    )?;
    writeln!(out, "|---|---|---:|---:|---:|---:|---|---|")?;
    let mut passed = true;
    for mut row in rows {
        let max = *row.times.iter().max().unwrap_or(&Duration::ZERO);
        let ok = max <= BUDGET;
        passed &= ok;
        writeln!(
            out,
            "| {} | {}×{} | {} | {} | {} | {} | {} | {} |",
            row.screen,
            row.size.0,
            row.size.1,
            row.rows,
            ms(percentile(&mut row.times, 0.5)),
            ms(percentile(&mut row.times, 0.99)),
            ms(max),
            row.worst_at,
            if ok { "pass" } else { "FAIL" }
        )?;
    }
    passed &= key_to_frame(lake, &mut out)?;
    writeln!(
        out,
        "\nThe events and flows pages hold {} rows a page (the `PAGE` of the events screen), not 10k; \
         the 10k-row page measured is `:sql … LIMIT 10000`.",
        lakescope::tui::screens::events::PAGE
    )?;
    for s in skipped {
        writeln!(out, "Not measured: {s}")?;
    }
    Ok(Outcome { report: out, passed })
}
