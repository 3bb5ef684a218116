//! Asking Amazon Athena: start the statement, poll with backoff until it
//! ends, read every page of its results. A cancel stops the query on
//! Athena too (a query left running is still billed). Credentials come
//! from the standard chain and never pass through here.

use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use aws_sdk_athena::types::{QueryExecutionContext, QueryExecutionState, ResultConfiguration};

use crate::lake::error::{LakeError, Result};
use crate::sync::client::{ClientOptions, describe, load};

/// Where and how to run: the standard credential chain's profile and
/// endpoint, the workgroup, the results location, the database.
#[derive(Debug, Clone, Default)]
pub struct Runner {
    pub client: ClientOptions,
    pub workgroup: Option<String>,
    /// `s3://…` for the results, unless the workgroup sets one.
    pub output: Option<String>,
    pub database: String,
}

/// What one query cost.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct QueryStats {
    pub query_id: String,
    pub data_scanned_bytes: i64,
    pub engine_ms: i64,
    /// At the list price: $5 per TB scanned, 10 MB at least.
    pub cost_usd: f64,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Answer {
    pub stats: QueryStats,
    pub columns: Vec<String>,
    pub rows: Vec<Vec<Option<String>>>,
}

/// The list price of scanning `bytes`.
pub fn cost_usd(bytes: i64) -> f64 {
    bytes.max(10_000_000) as f64 / 1e12 * 5.0
}

fn athena_error<E: std::error::Error>(what: &str, err: &E) -> LakeError {
    LakeError::Athena(format!("{what}: {}", describe(err)))
}

impl Runner {
    /// Run `sql` and read its whole answer; `cancel` stops it.
    pub fn run(&self, sql: &str, cancel: &AtomicBool) -> Result<Answer> {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .map_err(|source| LakeError::Thread { what: "Athena", source })?;
        runtime.block_on(self.ask(sql, cancel))
    }

    async fn ask(&self, sql: &str, cancel: &AtomicBool) -> Result<Answer> {
        let config = load(&self.client).await;
        let client = aws_sdk_athena::Client::new(&config);
        let mut start = client
            .start_query_execution()
            .query_string(sql)
            .query_execution_context(QueryExecutionContext::builder().database(&self.database).build());
        if let Some(workgroup) = &self.workgroup {
            start = start.work_group(workgroup);
        }
        if let Some(output) = &self.output {
            start = start.result_configuration(ResultConfiguration::builder().output_location(output).build());
        }
        let started = start
            .send()
            .await
            .map_err(|e| athena_error("cannot start the query", &e))?;
        let id = started
            .query_execution_id()
            .ok_or_else(|| LakeError::Athena("no query id in Athena's answer".into()))?
            .to_string();
        let stats = self.wait(&client, &id, cancel).await?;
        let (columns, rows) = results(&client, &id, cancel).await?;
        Ok(Answer { stats, columns, rows })
    }

    /// Poll until the query ends: 100 ms, doubling to 2 s between polls.
    async fn wait(&self, client: &aws_sdk_athena::Client, id: &str, cancel: &AtomicBool) -> Result<QueryStats> {
        let mut pause = Duration::from_millis(100);
        let began = Instant::now();
        loop {
            if cancel.load(Ordering::Relaxed) {
                let _ = client.stop_query_execution().query_execution_id(id).send().await;
                return Err(LakeError::Cancelled);
            }
            let got = client
                .get_query_execution()
                .query_execution_id(id)
                .send()
                .await
                .map_err(|e| athena_error("cannot follow the query", &e))?;
            let execution = got.query_execution();
            let status = execution.and_then(|e| e.status());
            match status.and_then(|s| s.state()) {
                Some(QueryExecutionState::Succeeded) => {
                    let stats = execution.and_then(|e| e.statistics());
                    let bytes = stats.and_then(|s| s.data_scanned_in_bytes()).unwrap_or(0);
                    return Ok(QueryStats {
                        query_id: id.to_string(),
                        data_scanned_bytes: bytes,
                        engine_ms: stats.and_then(|s| s.engine_execution_time_in_millis()).unwrap_or(0),
                        cost_usd: cost_usd(bytes),
                    });
                }
                Some(QueryExecutionState::Failed) => {
                    let reason = status
                        .and_then(|s| {
                            s.athena_error()
                                .and_then(|e| e.error_message())
                                .or(s.state_change_reason())
                        })
                        .unwrap_or("no reason given");
                    return Err(LakeError::Athena(format!("query {id} failed: {reason}")));
                }
                Some(QueryExecutionState::Cancelled) => {
                    return Err(LakeError::Athena(format!("query {id} was cancelled on Athena")));
                }
                _ => {}
            }
            tracing::debug!(
                id,
                elapsed_ms = began.elapsed().as_millis() as u64,
                "athena query still running"
            );
            // Slept in slices, so that a cancel is seen at once.
            let until = Instant::now() + pause;
            while Instant::now() < until && !cancel.load(Ordering::Relaxed) {
                tokio::time::sleep(Duration::from_millis(50)).await;
            }
            pause = (pause * 2).min(Duration::from_secs(2));
        }
    }
}

/// Every page of the results; the first row of the first page holds the
/// column names (Athena's way for SELECT), and is not a row.
async fn results(
    client: &aws_sdk_athena::Client,
    id: &str,
    cancel: &AtomicBool,
) -> Result<(Vec<String>, Vec<Vec<Option<String>>>)> {
    let mut columns = Vec::new();
    let mut rows = Vec::new();
    let mut token: Option<String> = None;
    loop {
        if cancel.load(Ordering::Relaxed) {
            return Err(LakeError::Cancelled);
        }
        let page = client
            .get_query_results()
            .query_execution_id(id)
            .set_next_token(token.clone())
            .send()
            .await
            .map_err(|e| athena_error("cannot read the results", &e))?;
        let set = page.result_set();
        if columns.is_empty() {
            columns = set
                .and_then(|s| s.result_set_metadata())
                .map(|m| m.column_info().iter().map(|c| c.name().to_string()).collect())
                .unwrap_or_default();
        }
        let mut page_rows = set.map(|s| s.rows()).unwrap_or_default().iter();
        if token.is_none() {
            page_rows.next();
        }
        rows.extend(page_rows.map(|r| {
            r.data()
                .iter()
                .map(|d| d.var_char_value().map(str::to_string))
                .collect()
        }));
        token = page.next_token().map(str::to_string);
        if token.is_none() {
            return Ok((columns, rows));
        }
    }
}
