//! `lakescope-bench`: time the pivots on a generated lake against plain
//! DuckDB (over the same de-duplicated parquet lakescope reads, and over
//! the lake's own files) and against jq over the raw files, as a responder
//! would run them.
//!
//! Every measurement is a separate process run under GNU `time`, so elapsed
//! time and peak memory are those of that one command, start-up included.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use anyhow::{Context, Result, bail};

pub struct BenchOptions {
    pub lake: PathBuf,
    pub runs: usize,
    /// Also time plain DuckDB and jq over the raw files (minutes per run at 10M).
    pub raw_baselines: bool,
}

#[derive(Debug, Clone, Copy)]
struct Measure {
    seconds: f64,
    peak_mb: f64,
}

/// A query's name, its lakescope command, the plain DuckDB command and the
/// jq pipeline (when there is a jq equivalent).
type Comparison<'a> = (&'a str, Vec<String>, Vec<String>, Option<Vec<String>>);

struct Row {
    query: String,
    lakescope: Measure,
    /// Plain DuckDB over lakescope's event store: equal input.
    on_store: Measure,
    /// Plain DuckDB over the lake's files.
    plain: Option<Measure>,
    jq: Option<Measure>,
}

/// The intruder's ARN and new IP, from the generator's TRUTH.json.
fn story(lake: &Path) -> Result<(String, String)> {
    let path = lake.join("TRUTH.json");
    let text = std::fs::read_to_string(&path).with_context(|| format!("cannot read {}", path.display()))?;
    let truth: serde_json::Value =
        serde_json::from_str(&text).with_context(|| format!("{} is not JSON", path.display()))?;
    let get = |k: &str| truth["intrusion"][k].as_str().map(str::to_string);
    match (get("intruder_arn"), get("new_ip")) {
        (Some(arn), Some(ip)) => Ok((arn, ip)),
        _ => bail!("{} has no intrusion.intruder_arn / intrusion.new_ip", path.display()),
    }
}

/// Run `argv` under GNU time; stdout is discarded.
fn measure(argv: &[String], envs: &[(&str, &Path)]) -> Result<Measure> {
    let report = tempfile_path("time");
    let mut cmd = Command::new("/usr/bin/time");
    cmd.arg("-f").arg("%e %M").arg("-o").arg(&report).args(argv);
    for (k, v) in envs {
        cmd.env(k, v);
    }
    let status = cmd
        .stdout(Stdio::null())
        .status()
        .context("cannot run /usr/bin/time (GNU time is needed for the benchmark)")?;
    let text = std::fs::read_to_string(&report).unwrap_or_default();
    let _ = std::fs::remove_file(&report);
    if !status.success() {
        bail!("{} failed: {text}", argv.join(" "));
    }
    let mut it = text.split_whitespace();
    let seconds: f64 = it.next().and_then(|s| s.parse().ok()).context("no time reported")?;
    let kb: f64 = it.next().and_then(|s| s.parse().ok()).context("no memory reported")?;
    Ok(Measure {
        seconds,
        peak_mb: kb / 1024.0,
    })
}

fn tempfile_path(tag: &str) -> PathBuf {
    static NEXT: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);
    let n = NEXT.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    std::env::temp_dir().join(format!("lakescope-bench-{}-{tag}-{n}", std::process::id()))
}

/// Median time, largest peak memory over `runs` runs.
fn repeat(runs: usize, argv: &[String], envs: &[(&str, &Path)]) -> Result<Measure> {
    let mut all = Vec::new();
    for _ in 0..runs.max(1) {
        all.push(measure(argv, envs)?);
    }
    all.sort_by(|a, b| a.seconds.total_cmp(&b.seconds));
    let peak = all.iter().map(|m| m.peak_mb).fold(0.0, f64::max);
    Ok(Measure {
        seconds: all[all.len() / 2].seconds,
        peak_mb: peak,
    })
}

fn jq_pipeline(lake: &Path, filter: &str, tail: &str) -> Vec<String> {
    let script = format!(
        "find {} -path '*/CloudTrail/*' -name '*_CloudTrail_*.json.gz' -print0 | xargs -0 zcat | jq -r {} {tail}",
        shell_quote(&lake.join("AWSLogs").display().to_string()),
        shell_quote(filter),
    );
    vec!["sh".into(), "-c".into(), script]
}

fn shell_quote(s: &str) -> String {
    format!("'{}'", s.replace('\'', "'\\''"))
}

pub fn run(opts: &BenchOptions) -> Result<String> {
    // This program runs the baselines; `lakescope` is built beside it.
    let bench = std::env::current_exe().context("cannot find the lakescope-bench executable")?;
    let exe = bench.with_file_name(format!("lakescope{}", std::env::consts::EXE_SUFFIX));
    if !exe.is_file() {
        bail!(
            "no lakescope executable beside {} (build both: cargo build --release --bins)",
            bench.display()
        );
    }
    let exe = exe.display().to_string();
    let bench = bench.display().to_string();
    let lake = opts
        .lake
        .canonicalize()
        .with_context(|| format!("no lake at {}", opts.lake.display()))?;
    let lake_s = lake.display().to_string();
    let (arn, ip) = story(&lake)?;
    let cache = tempfile_path("cache");
    std::fs::create_dir_all(&cache)?;
    let envs = [("LAKESCOPE_CACHE_DIR", cache.as_path())];

    let ls = |args: &[&str]| -> Vec<String> {
        let mut v = vec![
            exe.clone(),
            "--lake".into(),
            lake_s.clone(),
            "--format".into(),
            "json".into(),
        ];
        v.extend(args.iter().map(|s| s.to_string()));
        v
    };
    let base = |query: &str, arg: &str| -> Vec<String> {
        vec![
            bench.clone(),
            "--lake".into(),
            lake_s.clone(),
            "plain".into(),
            query.into(),
            arg.into(),
        ]
    };
    // On another empty cache, the first answer that `--partial` gives:
    // from the newest days, as soon as one of them has events.
    let partial_cache = tempfile_path("partial-cache");
    std::fs::create_dir_all(&partial_cache)?;
    let partial = measure(
        &ls(&["--partial", "actors"]),
        &[("LAKESCOPE_CACHE_DIR", partial_cache.as_path())],
    )?;
    let _ = std::fs::remove_dir_all(&partial_cache);
    // The first command also converts raw CloudTrail into the flat cache
    // and writes the event store.
    let cold = measure(&ls(&["actors"]), &envs)?;
    let store = find_store(&cache)?;
    // `lakescope index` then writes what is left: the flow index.
    let index = measure(&ls(&["index"]), &envs)?;
    let flow_index = find_flow_index(&cache)?;
    let on_store = |mut argv: Vec<String>| -> Vec<String> {
        argv.extend(["--store".into(), store.display().to_string()]);
        if let Some(dir) = &flow_index {
            argv.extend(["--flow-index".into(), dir.display().to_string()]);
        }
        argv
    };
    let queries: Vec<Comparison> = vec![
        (
            "actors",
            ls(&["actors"]),
            base("actors", ""),
            Some(jq_pipeline(
                &lake,
                ".Records[] | .userIdentity.arn // .userIdentity.type",
                "| sort | uniq -c | sort -rn",
            )),
        ),
        // Every jq question is one full pass over the raw files: timing one is enough.
        ("actor", ls(&["actor", &arn]), base("actor", &arn), None),
        // `ip` answers with its network, DNS and findings sections too.
        // Flows are read from the flow index, by lakescope and by DuckDB on store.
        (
            "flows --ip",
            ls(&["flows", "--ip", &ip, "--limit", "50"]),
            base("flows-ip", &ip),
            None,
        ),
        (
            "ip (with network, DNS, findings)",
            ls(&["ip", &ip]),
            base("ip-network", &ip),
            None,
        ),
        (
            "events",
            ls(&["events", "--actor", &arn, "--limit", "100"]),
            base("events", &arn),
            None,
        ),
        // The whole lake's CloudTrail per hour, and the intruder's per hour and IP.
        (
            "timeline",
            ls(&["timeline", "--bucket", "1h"]),
            base("timeline", ""),
            Some(jq_pipeline(&lake, ".Records[] | .eventTime[0:13]", "| sort | uniq -c")),
        ),
        (
            "timeline --actor --by ip",
            ls(&["timeline", "--actor", &arn, "--by", "ip", "--bucket", "1h"]),
            base("timeline-actor", &arn),
            None,
        ),
    ];
    let mut rows = Vec::new();
    for (name, ours, theirs, jq) in queries {
        eprintln!("bench: {name}");
        let raw = opts.raw_baselines;
        rows.push(Row {
            query: name.to_string(),
            lakescope: repeat(opts.runs, &ours, &envs)?,
            on_store: repeat(opts.runs, &on_store(theirs.clone()), &envs)?,
            plain: raw.then(|| repeat(opts.runs, &theirs, &envs)).transpose()?,
            jq: jq.filter(|_| raw).map(|argv| measure(&argv, &envs)).transpose()?,
        });
    }
    let synced = new_day(&lake, &ls(&["actors"]), &envs)?;
    let _ = std::fs::remove_dir_all(&cache);
    let mut out = report(&lake, opts.runs, cold, index, &rows);
    out.push_str(&format!(
        "\nempty cache, `--partial actors` (answers from the newest days done): {:.2} s, peak {:.0} MB\n\
         warm lake without its newest day (partitions of days >= {}), `actors`: {:.2} s, peak {:.0} MB\n\
         that day synced back in (new files), `actors` answered with it: {:.2} s, peak {:.0} MB\n",
        partial.seconds,
        partial.peak_mb,
        synced.0,
        synced.1.seconds,
        synced.1.peak_mb,
        synced.2.seconds,
        synced.2.peak_mb
    ));
    Ok(out)
}

/// Take the newest event day's partitions out, answer `question` without
/// them, put them back as new files and answer it again: (first day held,
/// without, with).
fn new_day(lake: &Path, question: &[String], envs: &[(&str, &Path)]) -> Result<(String, Measure, Measure)> {
    let text = std::fs::read_to_string(lake.join("TRUTH.json"))?;
    let truth: serde_json::Value = serde_json::from_str(&text)?;
    let last = truth["generator"]["last_day"]
        .as_str()
        .context("TRUTH.json has no generator.last_day")?
        .replace('-', "");
    let held = tempfile_path("held-day");
    let folders = crate::newday::partitions_from(lake, &last);
    anyhow::ensure!(
        !folders.is_empty(),
        "no partition of {last} or later in {}",
        lake.display()
    );
    crate::newday::hold(lake, &folders, &held)?;
    let without = measure(question, envs);
    crate::newday::put_back(&held, lake)?;
    let with = measure(question, envs)?;
    Ok((last, without?, with))
}

/// The flow index `lakescope index` wrote into the fresh cache, if the
/// lake has flows.
fn find_flow_index(cache: &Path) -> Result<Option<PathBuf>> {
    let root = cache.join(lakescope::lake::FLOW_INDEX_VERSION);
    let Ok(entries) = std::fs::read_dir(&root) else {
        return Ok(None);
    };
    let found: Vec<PathBuf> = entries
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.join("manifest.json").is_file())
        .collect();
    match found.as_slice() {
        [] => Ok(None),
        [one] => Ok(Some(one.clone())),
        _ => bail!(
            "expected one flow index under {}, found {}",
            root.display(),
            found.len()
        ),
    }
}

/// The one event store the cold run wrote into the fresh cache.
fn find_store(cache: &Path) -> Result<PathBuf> {
    let root = cache.join(lakescope::lake::STORE_VERSION);
    let stores: Vec<PathBuf> = std::fs::read_dir(&root)
        .with_context(|| format!("no event store under {}", root.display()))?
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.join("manifest.json").is_file())
        .collect();
    match stores.as_slice() {
        [one] => Ok(one.clone()),
        _ => bail!(
            "expected one event store under {}, found {}",
            root.display(),
            stores.len()
        ),
    }
}

fn report(lake: &Path, runs: usize, cold: Measure, index: Measure, rows: &[Row]) -> String {
    let mut out = format!(
        "lake: {}\nruns per query: {runs} (median time, largest peak memory); every run is a fresh process\n\
         first command on a cold cache (converts raw CloudTrail, writes the event store): {:.2} s, peak {:.0} MB\n\
         then `lakescope index` (writes the flow index): {:.2} s, peak {:.0} MB\n\
         DuckDB on store: the same hand-written SQL over lakescope's de-duplicated parquet and flow index (equal input)\n\
         DuckDB on files: the same SQL over the lake's own files, parsing the raw trail on every run\n\
         jq: one full pass over the raw trail files answers one question; every jq question costs about that\n\n\
         | query | lakescope s | DuckDB on store s | ratio | DuckDB on files s | ratio | jq s \
         | lakescope MB | DuckDB on store MB | DuckDB on files MB |\n\
         | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |\n",
        lake.display(),
        cold.seconds,
        cold.peak_mb,
        index.seconds,
        index.peak_mb
    );
    let dash = || "—".to_string();
    for r in rows {
        let ratio = |m: &Measure| format!("{:.2}", r.lakescope.seconds / m.seconds.max(0.001));
        out.push_str(&format!(
            "| {} | {:.2} | {:.2} | {} | {} | {} | {} | {:.0} | {:.0} | {} |\n",
            r.query,
            r.lakescope.seconds,
            r.on_store.seconds,
            ratio(&r.on_store),
            r.plain.map_or_else(dash, |m| format!("{:.2}", m.seconds)),
            r.plain.as_ref().map_or_else(dash, ratio),
            r.jq.map_or_else(dash, |m| format!("{:.1}", m.seconds)),
            r.lakescope.peak_mb,
            r.on_store.peak_mb,
            r.plain.map_or_else(dash, |m| format!("{:.0}", m.peak_mb)),
        ));
    }
    out
}
