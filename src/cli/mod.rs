//! The headless command line: `lakescope <command> [--format table|json|csv]`.

mod args;
mod athena_cmd;
mod athena_lake;
mod athena_timeline;
mod case_cmd;
mod config_cmd;
mod hunt_cmd;
mod info_cmd;
mod network_cmd;
mod output;
mod progress;
mod sync_cmd;
mod timeline_cmd;

use std::io::Write;
use std::path::{Path, PathBuf};

use anyhow::{Context, Result, bail};
use clap::CommandFactory;

use crate::generate::{GenerateOptions, generate_bad_lake, generate_lake};
use crate::lake::prepare::Preparation;
use crate::lake::summary::LakeSummary;
use crate::lake::{EventRow, FileProblem, Lake, Page, Scope, Session, catalog, events, parse_time, pivots, timeline};
pub use args::{Cli, Command, EventArgs};
pub use output::Format;

/// A path from the environment; set but empty counts as unset. Not clap's
/// `env`: a global argument read from an empty variable is an error in every
/// subcommand, even with the flag given.
fn env_path(name: &str) -> Option<PathBuf> {
    std::env::var_os(name).filter(|v| !v.is_empty()).map(PathBuf::from)
}

/// The demo lake committed with the sources (`LAKESCOPE_DEMO_LAKE` elsewhere).
pub fn demo_lake() -> PathBuf {
    match std::env::var_os("LAKESCOPE_DEMO_LAKE") {
        Some(dir) => PathBuf::from(dir),
        None => Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures").join("lake"),
    }
}

/// Without `--lake`: the current directory when it looks like a lake, else
/// the demo lake when it is still there (an installed binary may outlive
/// its source tree), else how to point at one.
pub fn default_lake() -> Result<PathBuf> {
    let here = std::env::current_dir().context("cannot read the current directory")?;
    let named = |p: &Path| p.file_name().is_some_and(|n| n == "aws" || n == "AWSLogs");
    if named(&here) || here.join("aws").is_dir() || here.join("AWSLogs").is_dir() {
        return Ok(here);
    }
    let demo = demo_lake();
    if demo.join("TRUTH.json").is_file() {
        return Ok(demo);
    }
    bail!(
        "no lake here: give one with --lake DIR (or LAKESCOPE_LAKE), run lakescope in a lake's folder, \
         or write the demo lake with `lakescope demo DIR`"
    )
}

impl Cli {
    fn scope(&self) -> Result<Scope> {
        Ok(Scope {
            accounts: self.account.clone(),
            regions: self.region.clone(),
            from_ms: self.from.as_deref().map(|t| parse_time(t, false)).transpose()?,
            to_ms: self.to.as_deref().map(|t| parse_time(t, true)).transpose()?,
        })
    }

    /// `--lake`, else `LAKESCOPE_LAKE` unless empty, else the default.
    fn lake_dir(&self) -> Result<PathBuf> {
        if let Some(path) = &self.lake {
            return Ok(path.clone());
        }
        match env_path("LAKESCOPE_LAKE") {
            Some(path) => Ok(path),
            None => default_lake(),
        }
    }

    fn open_lake(&self) -> Result<Lake> {
        let path = self.lake_dir()?;
        Lake::open(&path).with_context(|| format!("cannot open the lake at {}", path.display()))
    }
}

/// Run the command line.
pub fn run(cli: Cli) -> Result<()> {
    let mut stdout = std::io::stdout().lock();
    let out: &mut dyn Write = &mut stdout;
    let format = cli.format;
    let emit = |value: &dyn erased::Emit, out: &mut dyn Write| -> Result<()> {
        output::render(&value.to_value()?, format, out).context("cannot write the output")
    };
    let hunts_dir = cli.hunts_dir.clone().or_else(|| env_path("LAKESCOPE_HUNTS"));
    let rules = cli.rules.clone().or_else(|| env_path("LAKESCOPE_RULES"));
    for (flag, dir) in [("--hunts-dir", &hunts_dir), ("--rules", &rules)] {
        if let Some(dir) = dir.as_ref().filter(|d| !d.is_dir()) {
            bail!("{flag} {}: not a directory", dir.display());
        }
    }
    crate::lake::hunts::library::choose_dirs(hunts_dir, rules);
    let on_athena = cli.athena.print_sql.is_some() || cli.athena.engine == args::Engine::Athena;
    if !on_athena && (cli.athena.sync_into.is_some() || cli.athena.lake_bucket.is_some()) {
        bail!("--sync-into and --lake-bucket go with --engine athena (a local answer is already home)");
    }
    let workbench = matches!(cli.command, None | Some(Command::Tui));
    if on_athena && !(workbench && cli.athena.print_sql.is_none()) {
        let scope = cli.scope()?;
        // A timeline is drawn from Athena's minute counts, as locally.
        if cli.athena.print_sql.is_none()
            && let Some(query) = timeline_cmd::query_of(cli.command.as_ref())
        {
            return athena_timeline::run(&cli.athena, &scope, &query?, format, out);
        }
        let question = athena_cmd::question(cli.command.as_ref(), &scope)?;
        return match cli.athena.print_sql {
            Some(_) => athena_cmd::print(&cli.athena, &scope, &question, out),
            None => athena_cmd::ask(&cli.athena, &scope, &question, format, out),
        };
    }
    let exporting = matches!(&cli.command, Some(Command::Case(case_cmd::CaseCommand::Export)));
    if format.export_only() && !exporting {
        bail!(
            "--format {} is for `lakescope case export`; elsewhere use table, json, ndjson or csv",
            format!("{format:?}").to_lowercase()
        );
    }
    match &cli.command {
        None | Some(Command::Tui) => {
            let path = cli.lake_dir()?;
            let athena = match cli.athena.engine {
                args::Engine::Athena => Some(std::sync::Arc::new(athena_cmd::engine(&cli.athena)?)),
                args::Engine::Local => None,
            };
            let options = crate::tui::RunOptions {
                theme: cli.theme.clone(),
                scope: cli.scope()?,
                athena,
                sync_into: cli.athena.sync_into.clone(),
            };
            crate::tui::run(&path, &options)
        }
        Some(Command::Info) => emit(&info_cmd::info()?, out),
        Some(Command::Cache(command)) => emit(&info_cmd::run(command)?, out),
        Some(Command::Demo { dir }) => {
            let report = generate_lake(&GenerateOptions {
                out: dir.clone(),
                ..GenerateOptions::default()
            })?;
            eprintln!(
                "wrote the demo lake ({} files, {} events) to {}: lakescope --lake {2}",
                report.files,
                report.events,
                dir.display()
            );
            Ok(())
        }
        Some(Command::Man { dir }) => man_pages(dir.as_deref(), out),
        Some(Command::Completions { shell }) => {
            clap_complete::generate(*shell, &mut Cli::command(), "lakescope", out);
            Ok(())
        }
        Some(Command::Generate {
            out: dir,
            events,
            seed,
            days,
            bad,
        }) => {
            let report = if *bad {
                generate_bad_lake(dir, *seed)?
            } else {
                generate_lake(&GenerateOptions {
                    out: dir.clone(),
                    events: *events,
                    seed: *seed,
                    days: *days,
                })?
            };
            eprintln!(
                "wrote {} files ({} bytes, {} events) to {}",
                report.files,
                report.bytes,
                report.events,
                dir.display()
            );
            Ok(())
        }
        Some(Command::Sync(args)) => sync_cmd::run_sync(args, &cli.account, &cli.region, cli.from.as_deref()),
        Some(Command::Verify { dir }) => sync_cmd::run_verify(dir, out),
        Some(Command::Case(command)) => with_lake(&cli, |q| {
            match case_cmd::run(command, q.lake, q.session, format, out)? {
                Some(value) => emit(&value, out),
                None => Ok(()),
            }
        }),
        Some(Command::Summary) => with_lake(&cli, |q| emit(&LakeSummary::build(q.lake, q.session, q.scope)?, out)),
        Some(Command::Check) => with_lake(&cli, |q| {
            let problems = FileProblem::by_path(catalog::check(q.session, q.scope)?);
            emit(&problems, out)?;
            if !problems.is_empty() {
                bail!(
                    "{} damaged or unreadable file(s) in {}",
                    problems.len(),
                    q.scope.describe()
                );
            }
            Ok(())
        }),
        Some(Command::Sources) => with_lake(&cli, |q| emit(&catalog::sources(q.session, q.scope)?, out)),
        Some(Command::Partitions) => with_lake(&cli, |q| emit(&q.lake.partitions(q.scope), out)),
        Some(Command::Index) => with_lake(&cli, |q| emit(&crate::lake::prepare::index(q.session)?, out)),
        Some(Command::Actors { search }) => with_lake(&cli, |q| {
            emit(&pivots::actors(q.session, q.scope, search.as_deref())?, out)
        }),
        Some(Command::Actor { arn }) => with_lake(&cli, |q| match pivots::actor(q.session, q.scope, arn)? {
            Some(dossier) => emit(&dossier, out),
            None => {
                report_problems(q.lake);
                bail!("no events of actor {arn:?} in {}", q.scope.describe());
            }
        }),
        Some(Command::Sql { query }) => with_lake(&cli, |q| emit(&events::sql(q.session, q.scope, query)?, out)),
        Some(Command::Ip { ip }) => with_lake(&cli, |q| emit(&pivots::ip(q.session, q.scope, ip)?, out)),
        Some(Command::Key { key }) => with_lake(&cli, |q| emit(&pivots::key(q.session, q.scope, key)?, out)),
        Some(Command::Resource { id }) => with_lake(&cli, |q| emit(&pivots::resource(q.session, q.scope, id)?, out)),
        Some(Command::Network(command)) => {
            with_lake(&cli, |q| emit(&network_cmd::run(q.session, q.scope, command)?, out))
        }
        Some(Command::Config(args)) => with_lake(&cli, |q| emit(&config_cmd::run(q.session, q.scope, args)?, out)),
        Some(Command::Hunt(args)) if args.list => emit(&hunt_cmd::list(args)?, out),
        Some(Command::Hunt(args)) => with_lake(&cli, |q| emit(&hunt_cmd::run(q.session, q.scope, args)?, out)),
        Some(Command::Events {
            which,
            limit,
            offset,
            raw,
        }) => with_lake(&cli, |q| {
            let page = Page {
                limit: *limit,
                offset: *offset,
            };
            let rows = events::events(q.session, q.scope, &which.criteria(), page)?;
            match raw {
                true => emit(&original_records(q.session, &rows)?, out),
                false => emit(&rows, out),
            }
        }),
        Some(command @ Command::Timeline { .. }) => with_lake(&cli, |q| {
            let query = timeline_cmd::query_of(Some(command)).context("a timeline command")??;
            let timeline = timeline::timeline(q.session, q.scope, &query)?;
            timeline_cmd::render(&timeline, format, out).context("cannot write the output")
        }),
    }
}

/// What a command that reads the lake works with.
struct LakeQuery<'a> {
    lake: &'a Lake,
    session: &'a Session,
    scope: &'a Scope,
}

/// Open the lake, run `command` with a progress line for one-time work,
/// then list the files that could not be read.
fn with_lake(cli: &Cli, command: impl FnOnce(LakeQuery<'_>) -> Result<()>) -> Result<()> {
    crate::tui::logging::to_stderr_if_asked();
    let scope = cli.scope()?;
    let lake = cli.open_lake()?;
    let session = lake.session()?;
    let progress = progress::ConversionProgress::start(&lake);
    let mut preparation = match cli.partial {
        true => Preparation::start(&lake)?,
        false => None,
    };
    if let Some(Err(err)) = preparation.as_mut().and_then(Preparation::wait_for_first_day) {
        return Err(err).context("cannot index the lake");
    }
    command(LakeQuery {
        lake: &lake,
        session: &session,
        scope: &scope,
    })?;
    drop(progress);
    if let Some(p) = session.partial_used() {
        eprintln!(
            "lakescope: partial answer: the newest {} of {} partition days, {} events (the lake is being \
             indexed; without --partial the answer waits for all of them)",
            p.days_done, p.days_total, p.events
        );
    }
    // Stops the indexing; what it finished is kept for the next command.
    drop(preparation);
    report_problems(&lake);
    Ok(())
}

/// Unreadable files go to stderr, so that stdout stays valid JSON/CSV.
fn report_problems(lake: &Lake) {
    for problem in FileProblem::by_path(lake.problems()) {
        eprintln!(
            "lakescope: skipped {}: {}",
            crate::text::sanitize(&problem.path.display().to_string()),
            crate::text::sanitize(&problem.problem)
        );
    }
}

/// Object-safe serialisation for `emit`.
mod erased {
    pub trait Emit {
        fn to_value(&self) -> anyhow::Result<serde_json::Value>;
    }
    impl<T: serde::Serialize> Emit for T {
        fn to_value(&self) -> anyhow::Result<serde_json::Value> {
            Ok(serde_json::to_value(self)?)
        }
    }
}

/// The original record of each event row, in order (one read of its file
/// each: meant for pages, not whole lakes).
fn original_records(session: &Session, rows: &[EventRow]) -> Result<Vec<serde_json::Value>> {
    rows.iter()
        .map(|row| {
            let (Some(file), Some(id)) = (&row.file, &row.event_id) else {
                bail!("an event without a file or id has no original record: {row:?}");
            };
            events::event_detail(session, file, id)?.with_context(|| format!("event {id} is no longer in {file}"))
        })
        .collect()
}

/// `lakescope man`: the page of the whole command, or every page into `dir`.
fn man_pages(dir: Option<&Path>, out: &mut dyn Write) -> Result<()> {
    let command = Cli::command();
    let Some(dir) = dir else {
        return clap_mangen::Man::new(command)
            .render(out)
            .context("cannot write the manual page");
    };
    std::fs::create_dir_all(dir).with_context(|| format!("cannot create {}", dir.display()))?;
    clap_mangen::generate_to(command, dir)
        .with_context(|| format!("cannot write manual pages into {}", dir.display()))?;
    eprintln!(
        "wrote the manual pages into {} (man -M … lakescope, or copy them to ~/.local/share/man/man1)",
        dir.display()
    );
    Ok(())
}
