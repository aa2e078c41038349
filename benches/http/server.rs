//! The servers under load: the real `career-bot serve` release binary in its own process,
//! and a baseline, the smallest axum server that answers the same route with the same bytes,
//! which shows what this machine's loopback and HTTP stack cost before any work is done.

use std::collections::HashMap;
use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::time::Duration;

use axum::body::Bytes;
use tokio::io::{AsyncReadExt, AsyncWriteExt};

use super::cpu;

/// The binary to serve: this build's, or another build named by `CAREER_BOT_BENCH_BIN`, to
/// compare two builds on the same machine in the same session.
fn binary() -> std::path::PathBuf {
    std::env::var_os("CAREER_BOT_BENCH_BIN")
        .map_or_else(|| env!("CARGO_BIN_EXE_career-bot").into(), Into::into)
}

/// A running `career-bot serve`.
pub struct CareerBot {
    child: Child,
    pub address: String,
}

impl CareerBot {
    /// Starts the server in HTTP mode on `cpus`, talking to the fake Slack at `api_url`.
    pub async fn start(
        dir: &std::path::Path,
        api_url: &str,
        secret: &str,
        cpus: Vec<usize>,
    ) -> Self {
        let database = dir.join("bench.db").display().to_string();
        Self::start_on(dir, &database, api_url, secret, cpus).await
    }

    /// [`CareerBot::start`] on `database` (a SQLite path or a `postgres://` URL).
    pub async fn start_on(
        dir: &std::path::Path,
        database: &str,
        api_url: &str,
        secret: &str,
        cpus: Vec<usize>,
    ) -> Self {
        let mut command = Command::new(binary());
        command
            .current_dir(dir)
            .args(["--log-format", "json", "serve", "--listen", "127.0.0.1:0"])
            .env("SLACK_BOT_TOKEN", "xoxb-bench")
            .env("SLACK_SIGNING_SECRET", secret)
            .env("SLACK_API_URL", api_url)
            .env("DATABASE_URL", database)
            .env("RUST_LOG", "warn,career_bot::serve=info")
            // The runtime sizes itself to the CPUs it may use.
            .env_remove("TOKIO_WORKER_THREADS")
            .env_remove("SLACK_APP_TOKEN")
            .stdout(Stdio::null())
            .stderr(Stdio::piped());
        cpu::pin_command(&mut command, cpus);
        let mut child = command.spawn().expect("serve starts");
        let stderr = child.stderr.take().expect("stderr");
        // Read the log on its own thread: the bench's runtime has one thread, which the fake
        // Slack needs to answer the server's auth.test.
        let (found, address) = tokio::sync::oneshot::channel();
        std::thread::spawn(move || {
            let mut found = Some(found);
            for line in BufReader::new(stderr).lines().map_while(Result::ok) {
                let value: serde_json::Value = serde_json::from_str(&line).unwrap_or_else(|_| {
                    eprintln!("server: {line}");
                    serde_json::Value::Null
                });
                if let Some(address) = value["address"].as_str()
                    && let Some(found) = found.take()
                {
                    let _ = found.send(address.to_owned());
                }
            }
        });
        let address = tokio::time::timeout(Duration::from_secs(30), address)
            .await
            .expect("serve starts within 30 s")
            .expect("serve logs its address");
        Self { child, address }
    }

    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    /// Cumulative `(le, count)` of the server's own handling time of `/slack/commands`.
    pub async fn handling_histogram(&self) -> Vec<(f64, u64)> {
        let mut stream = tokio::net::TcpStream::connect(&self.address)
            .await
            .expect("connect for metrics");
        let request = format!(
            "GET /metrics HTTP/1.1\r\nhost: {}\r\nconnection: close\r\n\r\n",
            self.address
        );
        stream
            .write_all(request.as_bytes())
            .await
            .expect("metrics request");
        let mut text = String::new();
        stream
            .read_to_string(&mut text)
            .await
            .expect("metrics response");
        text.lines()
            .filter(|line| {
                line.starts_with("career_bot_http_request_duration_seconds_bucket{")
                    && line.contains("route=\"/slack/commands\"")
            })
            .filter_map(|line| {
                let le = line.split("le=\"").nth(1)?.split('"').next()?;
                let le = if le == "+Inf" {
                    f64::INFINITY
                } else {
                    le.parse().ok()?
                };
                let count = line.rsplit(' ').next()?.parse().ok()?;
                Some((le, count))
            })
            .collect()
    }
}

impl Drop for CareerBot {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// The bucket bound under which 99% of the requests between two snapshots were handled.
pub fn handling_p99(before: &[(f64, u64)], after: &[(f64, u64)]) -> f64 {
    let delta: Vec<(f64, u64)> = after
        .iter()
        .map(|(le, count)| {
            let earlier = before.iter().find(|(b, _)| b == le).map_or(0, |(_, c)| *c);
            (*le, count - earlier)
        })
        .collect();
    let total = delta.last().map_or(0, |(_, count)| *count);
    delta
        .iter()
        .find(|(_, count)| *count as f64 >= total as f64 * 0.99)
        .map_or(f64::INFINITY, |(le, _)| *le)
}

/// The flag that makes this bench binary the baseline server instead ([`baseline_main`]).
pub const BASELINE_FLAG: &str = "--baseline-server";

/// The baseline server, in a process of its own (this bench binary, started with
/// [`BASELINE_FLAG`]), stopped when dropped. Like career-bot it is a process apart from the
/// load generator: a server inside the load generator's process (as this baseline was until
/// issue 12) is spared the switches between processes that career-bot pays for on every
/// request and answer. (In one session, the same career-bot build reached 0.60–0.61 of the
/// baseline's throughput in the repeated run with the baseline inside the load generator,
/// 0.68–0.72 with it in its own process; the rotating run showed no difference.)
pub struct Baseline {
    child: Child,
    pub address: String,
}

/// What the baseline answers, as its process reads it.
#[derive(serde::Serialize, serde::Deserialize)]
struct Table {
    /// The distinct answers.
    answers: Vec<String>,
    /// Request body without its last field → index in `answers`.
    keys: Vec<(String, usize)>,
}

impl Baseline {
    /// Starts the baseline on `cpus`: `POST /slack/commands` answered by looking its body up
    /// in `answers` (career-bot's answer to each text asked, so both send the same bytes;
    /// keyed by the body without its unique last field, one entry per distinct text),
    /// nothing verified or parsed. Like `career-bot serve`, it runs a multi-threaded runtime
    /// with a worker per CPU it may use.
    pub fn start(answers: HashMap<Bytes, Bytes>, cpus: Vec<usize>) -> Self {
        let mut table = Table {
            answers: Vec::new(),
            keys: Vec::new(),
        };
        let mut index: HashMap<Bytes, usize> = HashMap::new();
        let text = |bytes: &Bytes| String::from_utf8(bytes.to_vec()).expect("UTF-8");
        for (key, answer) in &answers {
            let at = *index.entry(answer.clone()).or_insert_with(|| {
                table.answers.push(text(answer));
                table.answers.len() - 1
            });
            table.keys.push((text(key), at));
        }
        let file = tempfile::NamedTempFile::new().expect("answers file");
        let mut writer = std::io::BufWriter::new(file.as_file());
        serde_json::to_writer(&mut writer, &table).expect("answers written");
        std::io::Write::flush(&mut writer).expect("answers written");
        drop(writer);
        let mut command = Command::new(std::env::current_exe().expect("this bench"));
        command
            .arg(BASELINE_FLAG)
            .arg(file.path())
            .stdin(Stdio::piped())
            .stdout(Stdio::piped());
        cpu::pin_command(&mut command, cpus);
        let mut child = command.spawn().expect("baseline starts");
        let mut address = String::new();
        BufReader::new(child.stdout.take().expect("stdout"))
            .read_line(&mut address)
            .expect("baseline says its address");
        Self {
            child,
            address: address.trim().to_owned(),
        }
    }

    pub fn pid(&self) -> u32 {
        self.child.id()
    }
}

impl Drop for Baseline {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// The baseline's process: serves the answers of the [`Table`] in `file` on a loopback port,
/// which it prints, until its standard input closes (the bench ended) or it is killed.
pub fn baseline_main(file: &std::path::Path) {
    let table: Table = serde_json::from_reader(BufReader::new(
        std::fs::File::open(file).expect("answers file"),
    ))
    .expect("answers");
    let answers: Vec<Bytes> = table.answers.into_iter().map(Bytes::from).collect();
    let answers: Arc<HashMap<Bytes, Bytes>> = Arc::new(
        table
            .keys
            .into_iter()
            .map(|(key, at)| (Bytes::from(key), answers[at].clone()))
            .collect(),
    );
    std::thread::spawn(|| {
        let _ = std::io::copy(&mut std::io::stdin(), &mut std::io::sink());
        std::process::exit(0);
    });
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("baseline runtime");
    runtime.block_on(async move {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind baseline");
        println!("{}", listener.local_addr().expect("address"));
        let route = axum::routing::post(move |body: Bytes| {
            let answer = answers
                .get(super::client::question_of(&body))
                .cloned()
                .unwrap_or_default();
            async move {
                (
                    [(axum::http::header::CONTENT_TYPE, "application/json")],
                    answer,
                )
            }
        });
        let router = axum::Router::new().route("/slack/commands", route);
        axum::serve(listener, router)
            .await
            .expect("baseline serves");
    });
}
