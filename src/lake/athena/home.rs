//! Back home: the partitions an Athena answer touched, synced from the
//! bucket behind the tables into a lake directory and indexed, so the
//! investigation goes on offline on exactly that slice.

use std::path::Path;
use std::sync::atomic::AtomicBool;

use super::engine::{Engine, Spent, source};
use super::{Question, answer};
use crate::lake::error::{LakeError, Result};
use crate::lake::scope::Scope;
use crate::lake::{Lake, prepare};
use crate::sync::SyncReport;
use crate::sync::slice::{self, Partition, Quiet};

/// What bringing a slice home did.
#[derive(Debug)]
pub struct Home {
    pub partitions: Vec<Partition>,
    pub report: SyncReport,
    /// The partitions query (billed like any other).
    pub spent: Spent,
}

impl Engine {
    /// Ask Athena which partitions hold the question's events, then sync
    /// exactly those into `dest` and index them. `cancel` stops the query.
    pub fn bring_home(&self, scope: &Scope, question: &Question, dest: &Path, cancel: &AtomicBool) -> Result<Home> {
        let Some(url) = self.lake_bucket.clone() else {
            return Err(LakeError::Athena(
                "bringing a slice home needs --lake-bucket s3://… (the bucket behind the tables)".into(),
            ));
        };
        let source = source(&self.tables, question);
        self.guard(scope, source)?;
        let statement = super::partitions(&self.tables, scope, question)?;
        let touched = self.runner.run(&statement.sql, cancel)?;
        let spent = Spent {
            queries: vec![touched.stats.clone()],
        };
        let partitions = answer::partitions(&touched)?;
        if partitions.is_empty() {
            return Ok(Home {
                partitions,
                report: SyncReport::default(),
                spent,
            });
        }
        let failed = |e: crate::sync::SyncError| LakeError::Athena(format!("cannot sync into {}: {e}", dest.display()));
        let report =
            slice::sync_partitions(&url, dest, source, &partitions, &self.runner.client, &Quiet).map_err(failed)?;
        if report.failed > 0 {
            return Err(LakeError::Athena(format!(
                "{} object(s) could not be fetched into {}; run it again to retry",
                report.failed,
                dest.display()
            )));
        }
        let lake = Lake::open(dest)?;
        prepare::index(&lake.session()?)?;
        Ok(Home {
            partitions,
            report,
            spent,
        })
    }
}
