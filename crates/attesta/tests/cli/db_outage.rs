//! PostgreSQL stopped under a running `attesta serve` (SPEC §12): every
//! request that needs the database answers 503 `service_unavailable` (JSON
//! or page) within the pool's wait, never a qualifying answer and never an
//! internal message; `/readyz` says 503 while `/healthz` stays 200; when the
//! database is back, attesta answers again without a restart, and the
//! verification log written before and after is intact.
//!
//! The cluster is a throwaway one the test makes with `pg_createcluster`
//! (which, unlike `initdb`, runs as root, as CI does) on a free port, and
//! drops at the end whatever happens.

use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use attesta_testkit::{require_tool, unavailable};

/// A PostgreSQL cluster of this test's own, dropped (stopped first) with
/// the guard.
struct Cluster {
    version: String,
    name: String,
    port: u16,
}

impl Cluster {
    fn create() -> Option<Cluster> {
        for tool in ["pg_createcluster", "pg_ctlcluster", "pg_dropcluster"] {
            require_tool(tool)?;
        }
        let uid = Command::new("id").arg("-u").output().ok()?;
        if String::from_utf8_lossy(&uid.stdout).trim() != "0" {
            unavailable("pg_createcluster needs root to make a throwaway cluster");
            return None;
        }
        let version = std::fs::read_dir("/etc/postgresql")
            .ok()
            .into_iter()
            .flatten()
            .filter_map(|e| e.ok()?.file_name().into_string().ok())
            .filter_map(|v| Some((v.parse::<u32>().ok()?, v)))
            .max()
            .map(|(_, v)| v);
        let Some(version) = version else {
            unavailable("no PostgreSQL server version under /etc/postgresql");
            return None;
        };
        let port = free_port();
        let name = format!("attesta_outage_{}_{port}", std::process::id());
        let cluster = Cluster {
            version,
            name,
            port,
        };
        let port = port.to_string();
        cluster.run(
            "pg_createcluster",
            &[
                &cluster.version,
                &cluster.name,
                "-p",
                &port,
                "--",
                "--auth=trust",
                "--no-sync",
            ],
        );
        cluster.ctl("start");
        Some(cluster)
    }

    fn run(&self, tool: &str, args: &[&str]) {
        let out = Command::new(tool)
            .args(args)
            .stdin(Stdio::null())
            .output()
            .unwrap_or_else(|e| panic!("{tool} runs: {e}"));
        assert!(
            out.status.success(),
            "{tool} {args:?} failed: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    }

    /// `pg_ctlcluster VERSION NAME start|stop` (stop in fast mode: the
    /// connections attesta holds are cut, as in a crash or a failover).
    fn ctl(&self, action: &str) {
        let mut args = vec![self.version.as_str(), self.name.as_str(), action];
        if action == "stop" {
            args.extend(["-m", "fast"]);
        }
        self.run("pg_ctlcluster", &args);
    }

    fn url(&self) -> String {
        format!("postgres://postgres@127.0.0.1:{}/postgres", self.port)
    }
}

impl Drop for Cluster {
    fn drop(&mut self) {
        let _ = Command::new("pg_dropcluster")
            .args(["--stop", &self.version, &self.name])
            .stdin(Stdio::null())
            .output();
    }
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("a free port")
        .port()
}

/// `attesta --data-dir DIR ARGS…` on the cluster, with no `ATTESTA_*`
/// variable from the caller's environment.
fn attesta(url: &str, data_dir: &Path, args: &[&str]) -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_attesta"));
    for (key, _) in std::env::vars_os() {
        if key.to_string_lossy().starts_with("ATTESTA_") {
            cmd.env_remove(&key);
        }
    }
    cmd.env("DATABASE_URL", url)
        .env("ATTESTA_LOG", "warn")
        .arg("--data-dir")
        .arg(data_dir)
        .args(args);
    cmd
}

/// Words of a database error that must never reach a client.
const INTERNAL: [&str; 7] = [
    "sqlx",
    "postgres",
    "Postgres",
    "refused",
    "pool timed out",
    "SQLSTATE",
    "internal",
];

fn assert_no_internal_text(what: &str, body: &str) {
    for word in INTERNAL {
        assert!(!body.contains(word), "{what} shows {word:?}: {body}");
    }
}

/// An HTML page answered 503, without a word of the database's error.
async fn assert_unavailable_page(what: &str, r: reqwest::Response) {
    assert_eq!(r.status(), 503, "{what}");
    let kind = r.headers()["content-type"].to_str().unwrap().to_owned();
    assert!(kind.starts_with("text/html"), "{what}: {kind}");
    let body = r.text().await.unwrap();
    assert_no_internal_text(what, &body);
}

#[tokio::test]
async fn a_stopped_database_is_503_and_recovery_needs_no_restart() {
    let begun = Instant::now();
    let Some(cluster) = Cluster::create() else {
        return;
    };
    eprintln!("cluster up after {:?}", begun.elapsed());
    let dir = tempfile::tempdir().expect("temporary directory");
    let data_dir = dir.path().join("data");
    let url = cluster.url();
    let tokens = dir.path().join("tokens.csv");
    let seeded = attesta(
        &url,
        &data_dir,
        &[
            "seed",
            "--people",
            "3",
            "--tokens",
            tokens.to_str().unwrap(),
        ],
    )
    .output()
    .unwrap();
    assert!(seeded.status.success(), "{seeded:?}");
    let text = std::fs::read_to_string(&tokens).unwrap();
    let (token, fiscal_code) = text.lines().next().unwrap().split_once(',').unwrap();

    let mut cmd = attesta(
        &url,
        &data_dir,
        &["serve", "--demo", "--listen", "127.0.0.1:0"],
    );
    cmd.env("ATTESTA_DATABASE_ACQUIRE_TIMEOUT_SECONDS", "2");
    let (child, base) = crate::server::spawn_serving(cmd);
    let mut server = ServerGuard(child);

    attesta_app::sms::install_crypto_provider();
    let http = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let verify = || {
        http.post(format!("{base}/api/v1/verify"))
            .json(&serde_json::json!({"token": token, "fiscal_code": fiscal_code}))
            .send()
    };
    let get = |path: &str| http.get(format!("{base}{path}")).send();
    assert_eq!(verify().await.unwrap().status(), 200);
    // An operator's check opened before the database goes away.
    let opened = get(&format!("/v/{token}")).await.unwrap();
    assert_eq!(opened.status(), 303);
    let check = opened.headers()["location"].to_str().unwrap().to_owned();
    assert!(check.starts_with("/v/check/"), "{check}");
    // A citizen logged in before it, too.
    let citizen = reqwest::Client::builder()
        .cookie_store(true)
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let login = citizen
        .post(format!("{base}/api/v1/demo/login"))
        .header("origin", &base)
        .json(&serde_json::json!({"fiscal_code": fiscal_code, "role": "citizen"}))
        .send()
        .await
        .unwrap();
    assert!(login.status().is_success(), "{}", login.status());
    let me = || citizen.get(format!("{base}/api/v1/me")).send();
    assert_eq!(me().await.unwrap().status(), 200);

    cluster.ctl("stop");

    let started = Instant::now();
    let r = verify().await.unwrap();
    let waited = started.elapsed();
    assert_eq!(r.status(), 503);
    let body = r.text().await.unwrap();
    let e: serde_json::Value = serde_json::from_str(&body).unwrap();
    assert_eq!(e["error"]["code"], "service_unavailable", "{body}");
    assert_no_internal_text("POST /api/v1/verify", &body);
    assert!(
        waited < Duration::from_secs(10),
        "answered after {waited:?}"
    );
    eprintln!("503 service_unavailable after {waited:?} with the database stopped");

    assert_unavailable_page("GET /v/{token}", get(&format!("/v/{token}")).await.unwrap()).await;
    assert_unavailable_page("GET /v/check/{handle}", get(&check).await.unwrap()).await;
    let submitted = http
        .post(format!("{base}{check}"))
        .form(&[("fiscal_code", fiscal_code)])
        .send()
        .await
        .unwrap();
    assert_unavailable_page("POST /v/check/{handle}", submitted).await;
    for (what, r) in [
        ("GET /api/v1/me", me().await.unwrap()),
        (
            "GET /.well-known/attesta/keys.json",
            get("/.well-known/attesta/keys.json").await.unwrap(),
        ),
    ] {
        assert_eq!(r.status(), 503, "{what}");
        let body = r.text().await.unwrap();
        let e: serde_json::Value = serde_json::from_str(&body).unwrap();
        assert_eq!(e["error"]["code"], "service_unavailable", "{what}: {body}");
        assert_no_internal_text(what, &body);
    }
    let page = citizen.get(format!("{base}/me")).send().await.unwrap();
    assert_unavailable_page("GET /me", page).await;
    assert_eq!(get("/readyz").await.unwrap().status(), 503);
    assert_eq!(get("/healthz").await.unwrap().status(), 200);

    eprintln!("outage checks done after {:?}", begun.elapsed());
    cluster.ctl("start");
    let started = Instant::now();
    loop {
        let status = verify().await.unwrap().status();
        if status == 200 {
            break;
        }
        assert_eq!(status, 503, "while the database comes back");
        assert!(
            started.elapsed() < Duration::from_secs(30),
            "still {status} 30 s after the database came back"
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    eprintln!("answering again {:?} after the restart", started.elapsed());
    assert_eq!(get("/readyz").await.unwrap().status(), 200);
    assert_eq!(me().await.unwrap().status(), 200, "the session outlived it");
    let page = get(&check).await.unwrap();
    assert_eq!(page.status(), 200, "the check opened before is still open");

    server.stop();
    // The log rows written before and after the outage are intact: the
    // first check, the open check, the one after recovery (at least).
    let audit = attesta(&url, &data_dir, &["audit", "verify"])
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&audit.stdout);
    assert_eq!(audit.status.code(), Some(0), "{audit:?}");
    let entries: u64 = stdout
        .split(" entries")
        .next()
        .and_then(|s| s.rsplit(' ').next())
        .and_then(|n| n.parse().ok())
        .unwrap_or_else(|| panic!("no entry count in {stdout}"));
    assert!(entries >= 2, "{stdout}");
}

/// The served attesta, killed when dropped (before the cluster is).
struct ServerGuard(std::process::Child);

impl ServerGuard {
    fn stop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

impl Drop for ServerGuard {
    fn drop(&mut self) {
        self.stop();
    }
}
