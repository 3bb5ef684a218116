//! Flows sorted by address, for the question asked of flows most often:
//! "what did this IP talk to?".
//!
//! An address's flows are spread over every row group of the lake's flow
//! files (no statistics prune a random address), so the question reads
//! every file: about 2 s per 20M flows. The index holds each flow once per
//! address (source, and destination when it differs), in the flat flow
//! shape plus `addr`, sorted by address in small row groups, in the user's
//! cache directory (never in the lake). A question then reads the few row
//! groups whose address range holds the one asked: tens of milliseconds.
//!
//! Writing it costs a pass over the flows and a sort (about 90 s per 20M
//! flows on two cores), so no question waits for it: `lakescope index`
//! writes it, and questions use it once it is there. It is built in chunks
//! of files, each sorted on its own (bounded memory; an interrupted build
//! resumes). It is named by the flow files' paths, sizes and modification
//! times and by the SQL projecting them: a changed file means a new index,
//! and until it is written questions read the files.

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use super::group::RecordGroup;
use super::kind::RecordKind;
use super::query::culprit_among;
use crate::lake::cache::{FlatCache, identity};
use crate::lake::discovery::LakeFile;
use crate::lake::error::{LakeError, Result};
use crate::lake::model::FileProblem;
use crate::lake::plan::Plan;
use crate::lake::projection::{file_list, lit};
use crate::lake::scope::Filter;
use crate::lake::session::Session;
use crate::lake::store::{Progress, cache_err, lock_build, trim};

/// Bump when the index layout changes; also its folder under the cache dir.
pub const FLOW_INDEX_VERSION: &str = "flows-by-address-v1";
/// Input read and sorted at once (about 2M flows of Security Lake parquet).
const CHUNK_BYTES: u64 = 64 << 20;
/// Small row groups: a question reads only the ones holding its address.
const ROW_GROUP_ROWS: u32 = 20_000;
const MANIFEST: &str = "manifest.json";
/// Indexes kept (each about the size of the flows): this one and the last.
const KEEP_INDEXES: usize = 2;
/// DuckDB's memory while writing (the process peaks a little above it).
const BUILD_MEMORY: &str = "1GB";

#[derive(Debug, Clone, Serialize, Deserialize)]
struct Manifest {
    chunks: Vec<String>,
    /// Files set aside while writing, so that later sessions report them.
    problems: Vec<FileProblem>,
}

/// A finished index.
#[derive(Debug, Clone)]
pub(crate) struct FlowIndex {
    dir: PathBuf,
    manifest: Manifest,
}

impl FlowIndex {
    fn load(dir: &Path) -> Option<FlowIndex> {
        let text = std::fs::read_to_string(dir.join(MANIFEST)).ok()?;
        let manifest = serde_json::from_str(&text).ok()?;
        // Most recently used first when the cache is trimmed.
        if let Ok(file) = std::fs::File::options().append(true).open(dir.join(MANIFEST)) {
            let _ = file.set_modified(std::time::SystemTime::now());
        }
        Some(FlowIndex {
            dir: dir.to_path_buf(),
            manifest,
        })
    }

    pub(crate) fn problems(&self) -> &[FileProblem] {
        &self.manifest.problems
    }

    /// The flows of the address bound as `addr` that pass `filter`, in the
    /// flat flow shape.
    pub(crate) fn select(&self, addr: &str, filter: &Filter) -> String {
        if self.manifest.chunks.is_empty() {
            return format!("SELECT * FROM ({}) WHERE false", super::group::empty(RecordKind::Flows));
        }
        let files: Vec<PathBuf> = self.manifest.chunks.iter().map(|c| self.dir.join(c)).collect();
        format!(
            "SELECT * EXCLUDE (addr) FROM read_parquet({}, union_by_name = true, hive_partitioning = false) \
             WHERE addr = {addr} AND {}",
            file_list(files.iter().map(PathBuf::as_path)),
            filter.sql()
        )
    }

    /// Forget a damaged index; the next `lakescope index` writes it again.
    pub(crate) fn discard(&self) {
        tracing::warn!(index = %self.dir.display(), "discarding a damaged flow index");
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

/// Where the lake's flow index lives and what names it; owned by the lake.
pub(crate) struct FlowIndexes {
    /// None without a cache directory or without flows.
    root: Option<PathBuf>,
    /// Each flow group's projection as planned at open (part of the name:
    /// a file set aside later must not rename the index).
    projections: Vec<String>,
    files: Vec<LakeFile>,
}

impl FlowIndexes {
    pub(crate) fn new(cache: Option<&FlatCache>, plan: &Plan) -> FlowIndexes {
        let groups: Vec<&RecordGroup> = plan.records.iter().filter(|g| g.kind == RecordKind::Flows).collect();
        FlowIndexes {
            root: cache
                .filter(|_| !groups.is_empty())
                .map(|c| c.sibling(FLOW_INDEX_VERSION)),
            projections: groups.iter().map(|g| g.sql(&[])).collect(),
            files: groups.iter().flat_map(|g| g.files.iter().cloned()).collect(),
        }
    }

    fn key(&self) -> String {
        let mut parts = vec![FLOW_INDEX_VERSION];
        parts.extend(self.projections.iter().map(String::as_str));
        identity(&parts, &self.files.iter().collect::<Vec<_>>())
    }

    /// The finished index of the flows as they are now, if written.
    pub(crate) fn load(&self) -> Option<FlowIndex> {
        FlowIndex::load(&self.root.as_ref()?.join(self.key()))
    }
}

/// The lake's flow index when written (the files it set aside are set
/// aside in this session too).
pub(crate) fn load(session: &Session) -> Result<Option<FlowIndex>> {
    let Some(index) = session.lake().flow_indexes.load() else {
        return Ok(None);
    };
    if !index.problems().is_empty() {
        let mut plan = session.lake().plan_mut()?;
        for p in index.problems() {
            plan.quarantine(&p.path, p.problem.clone());
        }
    }
    Ok(Some(index))
}

/// Write the lake's flow index unless it is there; None when the lake has
/// no flows or no cache directory.
pub(crate) fn build(session: &Session, progress: Progress<'_>) -> Result<Option<FlowIndex>> {
    let indexes = &session.lake().flow_indexes;
    let Some(root) = &indexes.root else { return Ok(None) };
    let key = indexes.key();
    // Another process writing the same index: wait for it, then use it.
    let _lock = lock_build(root, &key)?;
    let done = root.join(&key);
    if let Some(index) = FlowIndex::load(&done) {
        return Ok(Some(index));
    }
    let work = root.join(format!("{key}.building"));
    std::fs::create_dir_all(&work).map_err(cache_err(&work))?;
    let chunks = chunks(&indexes.files);
    let mut names = Vec::new();
    // DuckDB would otherwise take most of the machine's memory for the
    // sorts; with a bound it spills to the cache directory instead.
    let bounded = std::env::var_os("LAKESCOPE_MEMORY_LIMIT").is_none();
    if bounded {
        session.execute(&format!("SET memory_limit = '{BUILD_MEMORY}'"))?;
    }
    let written = (|| {
        for (i, chunk) in chunks.iter().enumerate() {
            progress("indexing flows by address: chunk", i, chunks.len());
            if let Some(name) = write_chunk(session, chunk, &work)? {
                names.push(name);
            }
        }
        Ok::<(), LakeError>(())
    })();
    if bounded {
        let _ = session.execute("RESET memory_limit");
    }
    written?;
    let problems = {
        let plan = session.lake().plan()?;
        plan.problems
            .iter()
            .filter(|p| indexes.files.iter().any(|f| f.path == p.path))
            .cloned()
            .collect()
    };
    let manifest = Manifest {
        chunks: names,
        problems,
    };
    let manifest_path = work.join(MANIFEST);
    let text =
        serde_json::to_string_pretty(&manifest).map_err(|e| cache_err(&manifest_path)(std::io::Error::other(e)))?;
    std::fs::write(&manifest_path, text).map_err(cache_err(&manifest_path))?;
    // Chunks of an earlier attempt whose files changed since.
    for entry in std::fs::read_dir(&work).into_iter().flatten().flatten() {
        let name = entry.file_name().to_string_lossy().into_owned();
        if name != MANIFEST && !manifest.chunks.contains(&name) {
            let _ = std::fs::remove_file(entry.path());
        }
    }
    std::fs::rename(&work, &done).map_err(cache_err(&done))?;
    // Indexes of flow files as they were before a sync (kept an hour in
    // case another process still reads one).
    trim(root, KEEP_INDEXES);
    Ok(FlowIndex::load(&done))
}

/// Files in runs of about [`CHUNK_BYTES`] (at least one file each).
fn chunks(files: &[LakeFile]) -> Vec<Vec<PathBuf>> {
    let mut out: Vec<Vec<PathBuf>> = Vec::new();
    let mut bytes = 0;
    for file in files {
        match out.last_mut() {
            Some(last) if bytes + file.size <= CHUNK_BYTES => {
                last.push(file.path.clone());
                bytes += file.size;
            }
            _ => {
                out.push(vec![file.path.clone()]);
                bytes = file.size;
            }
        }
    }
    out
}

/// Sort one chunk's flows by address into its own file (named by the
/// chunk's files, so a resumed build skips it); bad files are set aside
/// and the chunk written without them. None when nothing of it is left.
fn write_chunk(session: &Session, chunk: &[PathBuf], work: &Path) -> Result<Option<String>> {
    for _ in 0..=chunk.len() {
        let groups: Vec<(RecordGroup, Vec<PathBuf>)> = {
            let plan = session.lake().plan()?;
            plan.records
                .iter()
                .filter(|g| g.kind == RecordKind::Flows)
                .map(|g| {
                    let files = chunk
                        .iter()
                        .filter(|p| g.files.iter().any(|f| &f.path == *p))
                        .cloned()
                        .collect::<Vec<_>>();
                    (g.clone(), files)
                })
                .filter(|(_, files)| !files.is_empty())
                .collect()
        };
        if groups.is_empty() {
            return Ok(None);
        }
        let files: Vec<LakeFile> = groups
            .iter()
            .flat_map(|(g, files)| g.files.iter().filter(|f| files.contains(&f.path)).cloned())
            .collect();
        let name = format!(
            "{}.parquet",
            identity(&[FLOW_INDEX_VERSION], &files.iter().collect::<Vec<_>>())
        );
        let target = work.join(&name);
        if target.exists() {
            return Ok(Some(name));
        }
        let body: Vec<String> = groups
            .iter()
            .map(|(g, files)| {
                let files: Vec<&Path> = files.iter().map(PathBuf::as_path).collect();
                format!("SELECT * FROM ({})", g.sql(&files))
            })
            .collect();
        let load = format!(
            "CREATE OR REPLACE TEMP TABLE flow_chunk AS {}",
            body.join("\nUNION ALL BY NAME\n")
        );
        let err = match session.execute(&load) {
            Ok(()) => None,
            Err(LakeError::Db(err)) if err.is_bad_data() => Some(err),
            Err(other) => return Err(other),
        };
        if let Some(err) = err {
            let Some((path, problem)) = culprit_among(session, &groups, &err)? else {
                return Err(LakeError::Db(err.cleaned()));
            };
            tracing::warn!(file = %path.display(), %problem, "setting a bad file aside");
            session.lake().plan_mut()?.quarantine(&path, problem);
            continue;
        }
        let tmp = target.with_extension("tmp");
        let copy = format!(
            "COPY (SELECT src_ip AS addr, * FROM flow_chunk WHERE src_ip IS NOT NULL \
               UNION ALL SELECT dst_ip AS addr, * FROM flow_chunk \
               WHERE dst_ip IS NOT NULL AND dst_ip IS DISTINCT FROM src_ip \
               ORDER BY addr, time_ms) \
             TO {} (FORMAT parquet, COMPRESSION zstd, ROW_GROUP_SIZE {ROW_GROUP_ROWS})",
            lit(&tmp.to_string_lossy())
        );
        let written = session.execute(&copy);
        let _ = session.execute("DROP TABLE IF EXISTS flow_chunk");
        if let Err(err) = written {
            let _ = std::fs::remove_file(&tmp);
            return Err(err);
        }
        std::fs::rename(&tmp, &target).map_err(cache_err(&target))?;
        return Ok(Some(name));
    }
    Err(LakeError::Db(crate::lake::error::DbError::new(
        crate::lake::error::DbErrorKind::BadData {
            file: None,
            oversized: false,
        },
        "too many unreadable flow files; see `lakescope sources`",
    )))
}
