//! Athena SQL in the tests: `lakescope --print-sql athena`, sqlglot (parse
//! as Athena, transpile to DuckDB) and the demo lake's Security Lake
//! parquet under the Glue table names.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::time::{Duration, Instant};

use serde_json::Value;

/// Throwaway credentials the fake is given; a test fails if they are printed.
pub const SECRET: &str = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY";

pub const DB: &str = "amazon_security_lake_glue_db_us_east_1";

/// Each statement parsed as Athena SQL (a failure fails the test) and
/// transpiled to DuckDB, in one sqlglot process.
pub fn sqlglot_all(sqls: &[String]) -> Vec<String> {
    let script = r#"
import json, sys
try:
    import sqlglot
except ImportError:
    sys.exit("sqlglot is not installed (python3 -m pip install sqlglot; .ci/test installs it)")
out = []
for sql in json.load(sys.stdin):
    sql = sql.strip().rstrip(';')
    sqlglot.parse_one(sql, read='athena', error_level=sqlglot.ErrorLevel.RAISE)
    out.append(sqlglot.transpile(sql, read='athena', write='duckdb')[0])
print(json.dumps(out))
"#;
    let mut child = Command::new("python3")
        .args(["-c", script])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("python3 runs sqlglot");
    let input = serde_json::to_vec(sqls).unwrap();
    child.stdin.take().unwrap().write_all(&input).unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(
        out.status.success(),
        "sqlglot failed: {}\n{sqls:#?}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).unwrap()
}

/// `lakescope --print-sql athena ARGS`.
pub fn athena_sql(args: &[&str]) -> String {
    let out = super::lakescope()
        .args(["--print-sql", "athena", "--athena-region", "us-east-1"])
        .args(args)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

/// Run sqlglot on `sql`: `parse` (athena) or `duckdb` (athena → duckdb).
pub fn sqlglot(mode: &str, sql: &str) -> String {
    let script = r#"
import sys
try:
    import sqlglot
except ImportError:
    sys.exit("sqlglot is not installed (python3 -m pip install sqlglot; .ci/test installs it)")
sql = sys.stdin.read().strip().rstrip(';')
if sys.argv[1] == 'parse':
    sqlglot.parse_one(sql, read='athena', error_level=sqlglot.ErrorLevel.RAISE)
    print('ok')
else:
    print(sqlglot.transpile(sql, read='athena', write='duckdb')[0])
"#;
    let mut child = Command::new("python3")
        .args(["-c", script, mode])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("python3 runs sqlglot");
    child.stdin.take().unwrap().write_all(sql.as_bytes()).unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(
        out.status.success(),
        "sqlglot {mode} failed: {}\n{sql}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

/// DuckDB with the demo lake's Security Lake CloudTrail parquet under the
/// Glue names, every region in the rollup table as Security Lake does.
pub fn glue_tables(conn: &duckdb::Connection, demo: &Path) {
    conn.execute_batch(&format!("CREATE SCHEMA {DB};")).unwrap();
    glue_views(conn, demo, "CLOUD_TRAIL_MGMT");
}

/// The same with the demo's VPC flows (`VPC_FLOW`).
pub fn glue_flow_tables(conn: &duckdb::Connection, demo: &Path) {
    conn.execute_batch(&format!("CREATE SCHEMA {DB};")).unwrap();
    glue_views(conn, demo, "VPC_FLOW");
}

/// The same with the demo's Route 53 resolver queries (`ROUTE53`).
pub fn glue_dns_tables(conn: &duckdb::Connection, demo: &Path) {
    conn.execute_batch(&format!("CREATE SCHEMA {DB};")).unwrap();
    glue_views(conn, demo, "ROUTE53");
}

/// The same with the demo's Security Hub findings (`SH_FINDINGS`).
pub fn glue_finding_tables(conn: &duckdb::Connection, demo: &Path) {
    conn.execute_batch(&format!("CREATE SCHEMA {DB};")).unwrap();
    glue_views(conn, demo, "SH_FINDINGS");
}

/// One view per source version of `source`, named as its Glue table.
fn glue_views(conn: &duckdb::Connection, demo: &Path, source: &str) {
    for (version, suffix) in [("1.0", "1_0"), ("2.0", "2_0")] {
        let glob = demo.join(format!(
            "aws/{source}/{version}/region=*/accountId=*/eventDay=*/*.parquet"
        ));
        conn.execute_batch(&format!(
            "CREATE VIEW {DB}.amazon_security_lake_table_us_east_1_{}_{suffix} AS \
             SELECT *, filename AS \"$path\" FROM read_parquet('{}', hive_partitioning = true, union_by_name = true, \
             filename = true, hive_types = {{'region': VARCHAR, 'accountId': VARCHAR, 'eventDay': VARCHAR}})",
            source.to_ascii_lowercase(),
            glob.display()
        ))
        .unwrap();
    }
}

pub fn rows(conn: &duckdb::Connection, sql: &str) -> Vec<Value> {
    let sql = format!(
        "SELECT to_json(q)::VARCHAR FROM ({}) AS q",
        sql.trim().trim_end_matches(';')
    );
    let mut stmt = conn.prepare(&sql).unwrap_or_else(|e| panic!("{e}\n{sql}"));
    let texts: Vec<String> = stmt
        .query_map([], |r| r.get::<_, String>(0))
        .unwrap()
        .map(|r| r.unwrap())
        .collect();
    texts.iter().map(|t| serde_json::from_str(t).unwrap()).collect()
}

/// `--print-sql athena --trail-table org_trail ARGS` fails; its stderr.
pub fn refused_over_a_trail(args: &[&str]) -> String {
    let out = super::lakescope()
        .args(["--print-sql", "athena", "--trail-table", "org_trail"])
        .args(args)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1), "{args:?}");
    String::from_utf8_lossy(&out.stderr).into_owned()
}

/// Every scope shape with every question: the argument lists a
/// semantics test runs both ways.
pub fn cross(scopes: &[Vec<&'static str>], questions: &[Vec<&'static str>]) -> Vec<Vec<&'static str>> {
    scopes
        .iter()
        .flat_map(|s| questions.iter().map(move |q| s.iter().chain(q).copied().collect()))
        .collect()
}

/// An Athena list cell (`array_join(…, ',')`) as its items; NULL or empty: none.
pub fn joined(v: &Value) -> Vec<String> {
    match v.as_str() {
        Some(t) if !t.is_empty() => t.split(',').map(str::to_string).collect(),
        _ => Vec::new(),
    }
}

/// A local answer's time (RFC 3339) in ms, as the SQL gives it.
pub fn ms(v: &Value) -> Value {
    match v.as_str() {
        Some(t) => Value::from(chrono::DateTime::parse_from_rfc3339(t).unwrap().timestamp_millis()),
        None => v.clone(),
    }
}

/// A printed script's statements with their section names (a report's
/// statements follow `-- section` lines; a single statement has none).
pub fn statements(script: &str) -> Vec<(String, String)> {
    script
        .split(";\n")
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(|s| match s.strip_prefix("-- ") {
            Some(rest) => {
                let (name, sql) = rest.split_once('\n').unwrap();
                (name.to_string(), sql.to_string())
            }
            None => ("rows".to_string(), s.to_string()),
        })
        .collect()
}

/// The scripted Athena of `tests/fakes/athena.py` on a loopback port,
/// stopped when dropped.
pub struct FakeAthena {
    child: Child,
    pub port: u16,
    log: PathBuf,
    _dir: tempfile::TempDir,
}

impl FakeAthena {
    pub fn start(scenario: Value) -> FakeAthena {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("scenario.json");
        std::fs::write(&file, scenario.to_string()).unwrap();
        let (port_file, log) = (dir.path().join("port"), dir.path().join("log.jsonl"));
        let script = super::repo().join("tests/fakes/athena.py");
        let child = Command::new("python3")
            .arg(&script)
            .args([&file, &port_file, &log])
            .stdout(Stdio::null())
            .spawn()
            .expect("python3 runs the fake Athena");
        let start = Instant::now();
        let port = loop {
            if let Some(port) = std::fs::read_to_string(&port_file)
                .ok()
                .and_then(|p| p.trim().parse().ok())
            {
                break port;
            }
            assert!(
                start.elapsed() < Duration::from_secs(10),
                "the fake Athena did not start"
            );
            std::thread::sleep(Duration::from_millis(50));
        };
        FakeAthena {
            child,
            port,
            log,
            _dir: dir,
        }
    }

    pub fn requests(&self) -> Vec<Value> {
        std::fs::read_to_string(&self.log)
            .unwrap_or_default()
            .lines()
            .map(|l| serde_json::from_str(l).unwrap())
            .collect()
    }

    /// The SQL of every query started, in order.
    pub fn started(&self) -> Vec<String> {
        self.requests()
            .iter()
            .filter(|r| r["target"] == "StartQueryExecution")
            .map(|r| r["body"]["QueryString"].as_str().unwrap().to_string())
            .collect()
    }

    pub fn command(&self, args: &[&str]) -> Command {
        let mut command = super::lakescope();
        command
            .env("AWS_ENDPOINT_URL", format!("http://127.0.0.1:{}", self.port))
            .env("AWS_ACCESS_KEY_ID", "AKIDEXAMPLE")
            .env("AWS_SECRET_ACCESS_KEY", SECRET)
            .env("AWS_REGION", "us-east-1")
            .env_remove("AWS_PROFILE")
            .env("AWS_CONFIG_FILE", "/nonexistent")
            .env("AWS_SHARED_CREDENTIALS_FILE", "/nonexistent")
            .args(["--engine", "athena", "--workgroup", "ir"])
            .args(args);
        command
    }

    /// The same environment as `command`, as `env` arguments for a shell
    /// line (the workbench started in tmux).
    pub fn env_line(&self) -> String {
        format!(
            "env -u AWS_PROFILE AWS_ENDPOINT_URL=http://127.0.0.1:{} AWS_ACCESS_KEY_ID=AKIDEXAMPLE \
             AWS_SECRET_ACCESS_KEY={SECRET} AWS_REGION=us-east-1 AWS_CONFIG_FILE=/nonexistent \
             AWS_SHARED_CREDENTIALS_FILE=/nonexistent",
            self.port
        )
    }

    pub fn run(&self, args: &[&str]) -> Output {
        let out = self.command(args).output().unwrap();
        let all = [out.stdout.as_slice(), out.stderr.as_slice()].concat();
        assert!(
            !String::from_utf8_lossy(&all).contains(SECRET),
            "a credential was printed"
        );
        out
    }
}

impl Drop for FakeAthena {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// The database and table names the trail tests register.
pub const TRAIL_ARGS: [&str; 4] = ["--trail-table", "org_trail", "--database", "trails"];

/// DuckDB with the demo lake's raw organization trail registered as the
/// CloudTrail table Athena's documentation creates (lower-case columns,
/// `useridentity` a struct, request and response as JSON text),
/// partitioned by `account`, `region` and `timestamp` (`yyyy/MM/dd`) from
/// each file's path as partition projection gives them, and `"$path"`.
pub fn trail_table(conn: &duckdb::Connection, demo: &Path) {
    let records = "STRUCT(eventID VARCHAR, eventTime VARCHAR, eventSource VARCHAR, eventName VARCHAR, \
        awsRegion VARCHAR, sourceIPAddress VARCHAR, userAgent VARCHAR, errorCode VARCHAR, \
        requestParameters JSON, responseElements JSON, recipientAccountId VARCHAR, \
        userIdentity STRUCT(type VARCHAR, principalId VARCHAR, arn VARCHAR, accountId VARCHAR, \
          invokedBy VARCHAR, accessKeyId VARCHAR, userName VARCHAR, \
          onBehalfOf STRUCT(userId VARCHAR, identityStoreArn VARCHAR), \
          sessionContext STRUCT(attributes STRUCT(mfaAuthenticated VARCHAR, creationDate VARCHAR), \
            sessionIssuer STRUCT(type VARCHAR, principalId VARCHAR, arn VARCHAR, accountId VARCHAR, userName VARCHAR))), \
        resources STRUCT(ARN VARCHAR, accountId VARCHAR, type VARCHAR)[])[]";
    let glob = demo.join("AWSLogs/**/CloudTrail/*/*/*/*/*.json.gz");
    conn.execute_batch(&format!(
        "CREATE SCHEMA trails;
         CREATE TABLE trails.org_trail AS
         SELECT r.eventID AS eventid, r.eventTime AS eventtime, r.eventSource AS eventsource,
           r.eventName AS eventname, r.awsRegion AS awsregion, r.sourceIPAddress AS sourceipaddress,
           r.userAgent AS useragent, r.errorCode AS errorcode,
           nullif(r.requestParameters::VARCHAR, 'null') AS requestparameters,
           nullif(r.responseElements::VARCHAR, 'null') AS responseelements,
           r.recipientAccountId AS recipientaccountid, r.userIdentity AS useridentity, r.resources AS resources,
           regexp_extract(filename, '/AWSLogs/(o-[a-z0-9]+/)?([0-9]{{12}})/CloudTrail/', 2) AS account,
           regexp_extract(filename, '/CloudTrail/([a-z0-9-]+)/', 1) AS region,
           regexp_extract(filename, '/CloudTrail/[a-z0-9-]+/([0-9]{{4}}/[0-9]{{2}}/[0-9]{{2}})/', 1) AS \"timestamp\",
           filename AS \"$path\"
         FROM (SELECT unnest(Records) AS r, filename
               FROM read_json('{}', columns = {{'Records': '{records}'}}, filename = true));",
        glob.display()
    ))
    .unwrap();
}

/// What the Athena statements read in a semantics test: the lake folder
/// the local engine answers from, the same files registered in DuckDB
/// under the table names, and the options naming those tables.
pub struct Backend {
    pub folder: &'static str,
    pub register: fn(&duckdb::Connection, &Path),
    pub args: &'static [&'static str],
}

pub const SECURITY_LAKE: Backend = Backend {
    folder: "aws/CLOUD_TRAIL_MGMT",
    register: glue_tables,
    args: &[],
};

pub const SECURITY_LAKE_FLOWS: Backend = Backend {
    folder: "aws/VPC_FLOW",
    register: glue_flow_tables,
    args: &[],
};

pub const SECURITY_LAKE_DNS: Backend = Backend {
    folder: "aws/ROUTE53",
    register: glue_dns_tables,
    args: &[],
};

pub const SECURITY_LAKE_FINDINGS: Backend = Backend {
    folder: "aws/SH_FINDINGS",
    register: glue_finding_tables,
    args: &[],
};

pub const ORG_TRAIL: Backend = Backend {
    folder: "AWSLogs",
    register: trail_table,
    args: &TRAIL_ARGS,
};

impl Backend {
    /// The partition folders (`account/region/day`) the `--sync-into`
    /// partitions query names for `args`, transpiled and run over `conn`.
    pub fn partition_folders(&self, conn: &duckdb::Connection, args: &[&str]) -> std::collections::BTreeSet<String> {
        let mut all = vec!["--lake-bucket", "s3://lake/", "--sync-into", "/nonexistent"];
        all.extend(args);
        let (section, sql) = statements(&self.sql(&all)).pop().unwrap();
        assert_eq!(section, "partitions");
        rows(conn, &sqlglot_all(&[sql]).pop().unwrap())
            .iter()
            .map(|r| {
                let part = |k: &str| r[k].as_str().unwrap().to_string();
                format!("{}/{}/{}", part("account"), part("region"), part("event_day"))
            })
            .collect()
    }

    /// `--print-sql athena` with this backend's tables.
    pub fn sql(&self, args: &[&str]) -> String {
        athena_sql(&[self.args, args].concat())
    }

    /// A scratch lake holding only this backend's files (no other copy of
    /// the events beside them), and DuckDB with them registered.
    pub fn lake(&self) -> (tempfile::TempDir, PathBuf, duckdb::Connection) {
        let tmp = tempfile::tempdir().unwrap();
        let lake = tmp.path().join("lake");
        super::copy_dir(&super::demo().join(self.folder), &lake.join(self.folder));
        let conn = duckdb::Connection::open_in_memory().unwrap();
        (self.register)(&conn, &super::demo());
        (tmp, lake, conn)
    }
}

/// `lakescope --format json --lake LAKE ARGS` with its own cache: the
/// local answer, or its stderr when it failed.
pub fn local_json(lake: &Path, cache: &Path, args: &[&str]) -> Result<Value, String> {
    let out = super::lakescope()
        .env("LAKESCOPE_CACHE_DIR", cache)
        .args(["--format", "json", "--lake"])
        .arg(lake)
        .args(args)
        .output()
        .unwrap();
    match out.status.success() {
        true => Ok(serde_json::from_slice(&out.stdout).unwrap()),
        false => Err(String::from_utf8_lossy(&out.stderr).into_owned()),
    }
}
