//! A real S3/SQS protocol server for the sync tests: moto's server, started
//! per test on 127.0.0.1 with a free port and stopped when dropped. Fixtures
//! are put there with the same SDK the sync uses; nothing is mocked.

#![allow(dead_code)]

use std::collections::BTreeMap;
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use aws_sdk_s3::primitives::ByteStream;

pub const INSTALL: &str = "moto's server is required: pip install 'moto[server]' (.ci/run installs it)";
pub const BUCKET: &str = "demo-lake";

pub struct Moto {
    child: Child,
    pub endpoint: String,
    pub runtime: tokio::runtime::Runtime,
}

impl Moto {
    pub fn start() -> Moto {
        let port = TcpListener::bind("127.0.0.1:0")
            .and_then(|l| l.local_addr())
            .expect("a free loopback port")
            .port();
        let args = ["-H", "127.0.0.1", "-p", &port.to_string()];
        let spawn = |program: &str, prefix: &[&str]| {
            Command::new(program)
                .args(prefix)
                .args(args)
                .stdin(Stdio::null())
                .stdout(Stdio::null())
                .stderr(Stdio::null())
                .spawn()
        };
        let child = spawn("moto_server", &[])
            .or_else(|_| spawn("python3", &["-m", "moto.server"]))
            .unwrap_or_else(|e| panic!("{INSTALL} (cannot start it: {e})"));
        let mut moto = Moto {
            child,
            endpoint: format!("http://127.0.0.1:{port}"),
            runtime: tokio::runtime::Runtime::new().expect("tokio runtime"),
        };
        let deadline = Instant::now() + Duration::from_secs(30);
        while TcpStream::connect(("127.0.0.1", port)).is_err() {
            if let Ok(Some(status)) = moto.child.try_wait() {
                panic!("{INSTALL} (moto server exited: {status})");
            }
            assert!(
                Instant::now() < deadline,
                "{INSTALL} (no answer on port {port} after 30 s)"
            );
            std::thread::sleep(Duration::from_millis(100));
        }
        moto
    }

    fn config(&self) -> aws_config::SdkConfig {
        aws_config::SdkConfig::builder()
            .behavior_version(aws_config::BehaviorVersion::latest())
            .region(aws_config::Region::new("us-east-1"))
            .endpoint_url(&self.endpoint)
            .credentials_provider(aws_sdk_s3::config::SharedCredentialsProvider::new(
                aws_sdk_s3::config::Credentials::new("testing", "testing", None, None, "test"),
            ))
            .http_client(lakescope::sync::client::http_client())
            .build()
    }

    pub fn s3(&self) -> aws_sdk_s3::Client {
        let conf = aws_sdk_s3::config::Builder::from(&self.config())
            .force_path_style(true)
            .build();
        aws_sdk_s3::Client::from_conf(conf)
    }

    pub fn sqs(&self) -> aws_sdk_sqs::Client {
        aws_sdk_sqs::Client::new(&self.config())
    }

    pub fn create_bucket(&self, bucket: &str) {
        let s3 = self.s3();
        self.runtime
            .block_on(s3.create_bucket().bucket(bucket).send())
            .expect("create bucket");
    }

    pub fn put(&self, bucket: &str, key: &str, body: Vec<u8>) {
        let s3 = self.s3();
        self.runtime
            .block_on(
                s3.put_object()
                    .bucket(bucket)
                    .key(key)
                    .body(ByteStream::from(body))
                    .send(),
            )
            .unwrap_or_else(|e| panic!("put {key}: {e:?}"));
    }

    pub fn delete(&self, bucket: &str, key: &str) {
        let s3 = self.s3();
        self.runtime
            .block_on(s3.delete_object().bucket(bucket).key(key).send())
            .unwrap_or_else(|e| panic!("delete {key}: {e:?}"));
    }

    /// Upload every file of `dir` under `prefix`, 16 at a time.
    pub fn upload_dir(&self, bucket: &str, prefix: &str, dir: &Path) -> usize {
        let files = tree(dir);
        let s3 = self.s3();
        let count = files.len();
        self.runtime.block_on(async {
            let mut set: tokio::task::JoinSet<Result<_, aws_sdk_s3::error::SdkError<_, _>>> =
                tokio::task::JoinSet::new();
            for (relative, path) in files {
                while set.len() >= 16 {
                    set.join_next().await.expect("task").expect("join").expect("upload");
                }
                let (s3, bucket, key) = (s3.clone(), bucket.to_string(), format!("{prefix}{relative}"));
                set.spawn(async move {
                    let body = ByteStream::from_path(&path).await.expect("read fixture");
                    s3.put_object().bucket(bucket).key(key).body(body).send().await
                });
            }
            while let Some(done) = set.join_next().await {
                done.expect("join").expect("upload");
            }
        });
        count
    }
}

impl Drop for Moto {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Files below `dir` by `/`-separated relative path, leaving out the sync's
/// state folder.
pub fn tree(dir: &Path) -> BTreeMap<String, PathBuf> {
    walkdir::WalkDir::new(dir)
        .into_iter()
        .filter_entry(|e| e.depth() != 1 || e.file_name() != ".lakescope-sync")
        .map(|e| e.expect("walk"))
        .filter(|e| e.file_type().is_file())
        .map(|e| {
            let relative = e.path().strip_prefix(dir).expect("below dir");
            let slash: Vec<String> = relative.iter().map(|s| s.to_string_lossy().into_owned()).collect();
            (slash.join("/"), e.path().to_path_buf())
        })
        .collect()
}

/// `lakescope` with moto's endpoint and throwaway credentials, isolated from
/// any AWS configuration of the machine.
pub fn lakescope(home: &Path) -> Command {
    let mut command = crate::common::lakescope();
    for var in ["AWS_PROFILE", "AWS_SESSION_TOKEN", "AWS_DEFAULT_PROFILE"] {
        command.env_remove(var);
    }
    command
        .env("AWS_ACCESS_KEY_ID", "testing")
        .env("AWS_SECRET_ACCESS_KEY", "testing")
        .env("AWS_REGION", "us-east-1")
        .env("AWS_CONFIG_FILE", home.join("no-config"))
        .env("AWS_SHARED_CREDENTIALS_FILE", home.join("no-credentials"))
        .env("AWS_EC2_METADATA_DISABLED", "true")
        .env("HOME", home)
        .stdin(Stdio::null());
    command
}

/// Run `lakescope sync s3://BUCKET/PREFIX --to DIR ARGS…` and return its stdout.
pub fn sync(moto: &Moto, url: &str, dest: &Path, args: &[&str]) -> String {
    let home = dest.parent().expect("dest has a parent");
    let output = lakescope(home)
        .args(["sync", url, "--to"])
        .arg(dest)
        .args(["--endpoint-url", &moto.endpoint])
        .args(args)
        .output()
        .expect("run lakescope sync");
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(output.status.success(), "sync failed: {stderr}");
    assert!(!stderr.contains("testing"), "credentials leaked into the log: {stderr}");
    String::from_utf8_lossy(&output.stdout).into_owned()
}

/// Assert that every file of `synced` equals the file at the same path in
/// `source` byte for byte, and return how many there were.
pub fn assert_same_bytes(synced: &Path, source: &Path) -> usize {
    let files = tree(synced);
    for (relative, path) in &files {
        let got = std::fs::read(path).expect("read synced file");
        let want =
            std::fs::read(source.join(relative)).unwrap_or_else(|e| panic!("{relative} is not in the source: {e}"));
        assert!(got == want, "{relative} differs from the source");
    }
    files.len()
}

/// The demo lake's files that a full sync mirrors: the lake layouts only.
pub fn lake_files(dir: &Path) -> Vec<String> {
    tree(dir)
        .into_keys()
        .filter(|k| k.starts_with("aws/") || k.starts_with("ext/") || k.starts_with("AWSLogs/"))
        .collect()
}

/// A scratch folder (also the commands' HOME) and the sync directory in it.
pub fn workspace() -> (tempfile::TempDir, PathBuf) {
    let work = tempfile::tempdir().expect("tempdir");
    let dest = work.path().join("copy");
    (work, dest)
}

/// `lakescope verify DIR`: success and stdout.
pub fn verify(home: &Path, dest: &Path) -> (bool, String) {
    let out = lakescope(home).arg("verify").arg(dest).output().expect("run verify");
    (out.status.success(), String::from_utf8_lossy(&out.stdout).into_owned())
}

pub fn assert_verified(home: &Path, dest: &Path) {
    let (ok, out) = verify(home, dest);
    assert!(ok, "verify found differences: {out}");
}
