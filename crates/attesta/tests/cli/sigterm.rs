//! SPEC §12 "SIGTERM: stop accepting, finish requests in flight (up to 10
//! seconds), flush, exit 0" under a level-1 load through the real `attesta
//! serve`, and the JSON log lines it writes meanwhile (issue #17).

use std::collections::BTreeSet;
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use attesta_testkit::on_both_engines;
use sqlx::{AnyConnection, Connection, Row};

use crate::Env;

on_both_engines!(
    sigterm_under_level1_load_answers_or_refuses_exits_0_and_loses_no_log_row,
    json_logs_carry_the_request_id_and_never_a_token_or_codice_fiscale,
    text_logs_to_a_file_carry_no_colour_codes,
);

/// `attesta seed --people N`: its (token, codice fiscale) pairs.
fn seeded(env: &Env, people: usize) -> Vec<(String, String)> {
    let tokens = env.dir.path().join("tokens.csv");
    let seeded = env.attesta(&[
        "seed",
        "--people",
        &people.to_string(),
        "--tokens",
        tokens.to_str().unwrap(),
    ]);
    assert_eq!(seeded.code, 0, "{seeded:?}");
    std::fs::read_to_string(&tokens)
        .unwrap()
        .lines()
        .map(|l| {
            let (t, cf) = l.split_once(',').unwrap();
            (t.to_owned(), cf.to_owned())
        })
        .collect()
}

async fn logged_ids(env: &Env) -> BTreeSet<String> {
    sqlx::any::install_default_drivers();
    let mut conn = AnyConnection::connect(&env.database_url()).await.unwrap();
    sqlx::query("SELECT verification_id FROM verifications")
        .fetch_all(&mut conn)
        .await
        .unwrap()
        .iter()
        .map(|r| r.try_get("verification_id").unwrap())
        .collect()
}

fn sigterm(child: &Child) {
    let status = Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .expect("kill runs");
    assert!(status.success());
}

/// Waits for the child to exit, failing after `within`.
fn exit_within(child: &mut Child, within: Duration) -> std::process::ExitStatus {
    let deadline = Instant::now() + within;
    loop {
        if let Some(status) = child.try_wait().unwrap() {
            return status;
        }
        assert!(
            Instant::now() < deadline,
            "still running {within:?} after SIGTERM"
        );
        std::thread::sleep(Duration::from_millis(20));
    }
}

/// What one client request came to.
#[derive(Debug)]
enum Outcome {
    /// 200 with this verification id.
    Answered(String),
    /// No response at all: refused or closed before it was answered.
    NotStarted(String),
    /// Anything else: a status other than 200, or an answer cut short.
    Bad(String),
}

async fn sigterm_under_level1_load_answers_or_refuses_exits_0_and_loses_no_log_row(env: Env) {
    let pairs = seeded(&env, 20);
    let before = logged_ids(&env).await;
    let mut cmd = env.command(&["serve", "--demo", "--listen", "127.0.0.1:0"]);
    cmd.env("ATTESTA_RATE_LIMIT_PER_SECOND", "1000000")
        .env("ATTESTA_RATE_LIMIT_BURST", "1000000")
        // A pause of the whole test (a busy machine) is not a 503.
        .env("ATTESTA_DATABASE_ACQUIRE_TIMEOUT_SECONDS", "30");
    let (mut child, base) = crate::server::spawn_serving(cmd);
    let guard = KillOnDrop(Some(child.id()));
    attesta_app::sms::install_crypto_provider();
    let http = reqwest::Client::new();
    let outcomes = Arc::new(Mutex::new(Vec::<(Instant, Outcome)>::new()));
    let mut tasks = Vec::new();
    for worker in 0..16 {
        let (http, base, pairs, outcomes) =
            (http.clone(), base.clone(), pairs.clone(), outcomes.clone());
        tasks.push(tokio::spawn(async move {
            for i in worker.. {
                let (token, cf) = &pairs[i % pairs.len()];
                let outcome = match http
                    .post(format!("{base}/api/v1/verify"))
                    .json(&serde_json::json!({"token": token, "fiscal_code": cf}))
                    .send()
                    .await
                {
                    // No client timeout: the server is bound to exit
                    // within 12 s of the signal, which ends every wait.
                    Err(e) if e.is_timeout() => Outcome::Bad(format!("{e:?}")),
                    Err(e) => Outcome::NotStarted(format!("{e:?}")),
                    Ok(r) if r.status() != 200 => Outcome::Bad(format!("status {}", r.status())),
                    Ok(r) => match r.json::<serde_json::Value>().await {
                        Ok(body) => match body["verification_id"].as_str() {
                            Some(id) => Outcome::Answered(id.to_owned()),
                            None => Outcome::Bad(format!("no verification_id: {body}")),
                        },
                        Err(e) => Outcome::Bad(format!("answer cut short: {e:?}")),
                    },
                };
                let stop = !matches!(outcome, Outcome::Answered(_));
                outcomes.lock().unwrap().push((Instant::now(), outcome));
                if stop {
                    return;
                }
            }
        }));
    }
    // Let the load run for a second (and at least some checks through),
    // then SIGTERM in the middle of it.
    let started = Instant::now();
    let deadline = started + Duration::from_secs(60);
    while started.elapsed() < Duration::from_secs(1) || outcomes.lock().unwrap().len() < 50 {
        assert!(Instant::now() < deadline, "fewer than 50 checks in 60 s");
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    let signalled = Instant::now();
    sigterm(&child);
    let status = tokio::task::block_in_place(|| exit_within(&mut child, Duration::from_secs(12)));
    let exited_after = signalled.elapsed();
    drop(guard);
    assert_eq!(status.code(), Some(0), "{status:?}");
    for t in tasks {
        t.await.unwrap();
    }

    let outcomes = std::mem::take(&mut *outcomes.lock().unwrap());
    let bad: Vec<&str> = outcomes
        .iter()
        .filter_map(|(_, o)| match o {
            Outcome::Bad(why) => Some(why.as_str()),
            _ => None,
        })
        .collect();
    assert!(bad.is_empty(), "neither answered nor refused: {bad:?}");
    let early: Vec<&str> = outcomes
        .iter()
        .filter_map(|(at, o)| match o {
            Outcome::NotStarted(why) if *at < signalled => Some(why.as_str()),
            _ => None,
        })
        .collect();
    assert!(early.is_empty(), "refused before the SIGTERM: {early:?}");
    let answered: BTreeSet<String> = outcomes
        .iter()
        .filter_map(|(_, o)| match o {
            Outcome::Answered(id) => Some(id.clone()),
            _ => None,
        })
        .collect();
    let after_signal = outcomes
        .iter()
        .filter(|(at, o)| matches!(o, Outcome::Answered(_)) && *at >= signalled)
        .count();
    println!(
        "SIGTERM: {} checks answered ({after_signal} after the signal), \
         exit 0 after {exited_after:?}",
        answered.len()
    );

    // Every answered check is in the log, and nothing else was written:
    // no check was made whose answer was lost.
    let after = logged_ids(&env).await;
    let new: BTreeSet<String> = after.difference(&before).cloned().collect();
    let missing: Vec<_> = answered.difference(&new).collect();
    assert!(missing.is_empty(), "answered but not logged: {missing:?}");
    let unanswered: Vec<_> = new.difference(&answered).collect();
    assert!(
        unanswered.is_empty(),
        "logged but never answered: {unanswered:?}"
    );
    let audit = env.attesta(&["audit", "verify"]);
    assert_eq!(audit.code, 0, "{audit:?}");
    assert!(
        audit.stdout.contains(&format!("{} entries", after.len())),
        "{}",
        audit.stdout
    );
}

/// Sends SIGKILL to a server the test did not get to stop.
struct KillOnDrop(Option<u32>);

impl Drop for KillOnDrop {
    fn drop(&mut self) {
        if std::thread::panicking()
            && let Some(pid) = self.0.take()
        {
            let _ = Command::new("kill")
                .args(["-KILL", &pid.to_string()])
                .status();
        }
    }
}

async fn json_logs_carry_the_request_id_and_never_a_token_or_codice_fiscale(env: Env) {
    let pairs = seeded(&env, 2);
    let (token, cf) = pairs[0].clone();
    let stderr_path = env.dir.path().join("stderr.log");
    let stdout_path = env.dir.path().join("stdout.log");
    let mut cmd = env.command(&["serve", "--demo", "--listen", "127.0.0.1:0"]);
    cmd.env("ATTESTA_LOG", "info")
        .env("ATTESTA_LOG_FORMAT", "json")
        .env("ATTESTA_TRUSTED_PROXIES", "127.0.0.1")
        .env("ATTESTA_DATABASE_ACQUIRE_TIMEOUT_SECONDS", "30");
    let (mut child, base) = crate::server::spawn_serving_to(
        cmd,
        Stdio::from(std::fs::File::create(&stderr_path).unwrap()),
        std::fs::File::create(&stdout_path).unwrap(),
    );
    let guard = KillOnDrop(Some(child.id()));
    attesta_app::sms::install_crypto_provider();
    let http = reqwest::Client::new();
    // From the trusted proxy: its id is kept.
    let given = "lb-7f3a9c2e1-0001";
    let r = http
        .post(format!("{base}/api/v1/verify"))
        .header("x-request-id", given)
        .json(&serde_json::json!({"token": token, "fiscal_code": cf}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    assert_eq!(r.headers()["x-request-id"], given);
    // Without one: generated, and returned.
    let r = http
        .post(format!("{base}/api/v1/verify"))
        .json(&serde_json::json!({"token": token, "fiscal_code": cf}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    let generated = r.headers()["x-request-id"].to_str().unwrap().to_owned();
    assert!(!generated.is_empty());
    // The operator page with the token in its path, and a wrong code.
    let r = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap()
        .get(format!("{base}/v/{token}"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 303);
    sigterm(&child);
    let status = tokio::task::block_in_place(|| exit_within(&mut child, Duration::from_secs(12)));
    drop(guard);
    assert_eq!(status.code(), Some(0), "{status:?}");

    let stderr = std::fs::read_to_string(&stderr_path).unwrap();
    // Written by a thread that ends with the pipe: wait for it to close.
    let stdout = {
        let deadline = Instant::now() + Duration::from_secs(5);
        loop {
            let text = std::fs::read_to_string(&stdout_path).unwrap();
            if text.contains("operator check") || Instant::now() > deadline {
                break text;
            }
            std::thread::sleep(Duration::from_millis(20));
        }
    };
    let lines: Vec<serde_json::Value> = stderr
        .lines()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("{e}: not JSON: {l}")))
        .collect();
    for id in [given, generated.as_str()] {
        let line = lines
            .iter()
            .find(|l| l["span"]["id"] == id)
            .unwrap_or_else(|| panic!("no log line with request id {id}: {stderr}"));
        assert_eq!(line["span"]["route"], "/api/v1/verify", "{line}");
        assert_eq!(line["level"], "INFO", "{line}");
    }
    assert!(
        lines
            .iter()
            .any(|l| l["span"]["route"] == "/v/{token}" && l["span"]["id"].is_string()),
        "{stderr}"
    );
    for (name, text) in [("stderr", &stderr), ("stdout", &stdout)] {
        for secret in [token.as_str(), &token.to_lowercase(), cf.as_str()] {
            assert!(!text.contains(secret), "{secret} in {name}: {text}");
        }
    }
}

/// The default (text) log format written to a file or a pipe, as under
/// systemd or a container runtime: plain lines, no ANSI colour codes (a
/// log collector would store `\x1b[32m INFO\x1b[0m`).
async fn text_logs_to_a_file_carry_no_colour_codes(env: Env) {
    let stderr_path = env.dir.path().join("stderr.log");
    let mut cmd = env.command(&["serve", "--demo", "--listen", "127.0.0.1:0"]);
    cmd.env("ATTESTA_LOG", "info");
    let (mut child, base) = crate::server::spawn_serving_to(
        cmd,
        Stdio::from(std::fs::File::create(&stderr_path).unwrap()),
        std::io::sink(),
    );
    let guard = KillOnDrop(Some(child.id()));
    attesta_app::sms::install_crypto_provider();
    let r = reqwest::get(format!("{base}/api/v1/openapi.json"))
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    sigterm(&child);
    let status = tokio::task::block_in_place(|| exit_within(&mut child, Duration::from_secs(12)));
    drop(guard);
    assert_eq!(status.code(), Some(0), "{status:?}");
    let stderr = std::fs::read_to_string(&stderr_path).unwrap();
    assert!(
        stderr.contains("INFO"),
        "no info line was written: {stderr}"
    );
    assert!(
        !stderr.contains('\u{1b}'),
        "colour codes in a log file: {stderr:?}"
    );
}
