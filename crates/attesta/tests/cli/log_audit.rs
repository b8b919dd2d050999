//! The verification log as an operator meets it (SPEC §12): `attesta audit
//! verify` on a good and a tampered log, and the real `attesta serve`
//! killed with SIGKILL under level-1 load: every check answered 200 has its
//! log entry, and the chain is intact after the restart.

use std::collections::BTreeSet;
use std::process::Child;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use attesta_domain::CheckOutcome;
use attesta_store::VerificationRecord;
use attesta_testkit::on_both_engines;
use sqlx::{AnyConnection, Connection, Row};

use crate::Env;

on_both_engines!(
    audit_verify_counts_a_good_log_and_names_a_tampered_entry,
    answered_checks_survive_a_sigkill_mid_load,
);

const NOW: i64 = 1_795_000_000_000;

async fn exec(env: &Env, sql: &str) {
    let mut conn = AnyConnection::connect(&env.database_url()).await.unwrap();
    let done = sqlx::query(sqlx::AssertSqlSafe(sql.to_owned()))
        .execute(&mut conn)
        .await
        .unwrap();
    assert_eq!(done.rows_affected(), 1, "{sql}");
}

async fn audit_verify_counts_a_good_log_and_names_a_tampered_entry(env: Env) {
    let fresh = env.attesta(&["audit", "verify"]);
    assert_eq!(fresh.code, 0, "{fresh:?}");
    assert!(
        fresh
            .stdout
            .contains(&format!("0 entries, head {}", attesta_store::GENESIS)),
        "{}",
        fresh.stdout
    );
    let store = env.store().await;
    for i in 0..5 {
        store
            .log_verification(&VerificationRecord {
                verification_id: format!("v{i}"),
                person_id: Some("p1".into()),
                attestation_id: Some("a1".into()),
                at: NOW + i,
                level: 1,
                outcome: CheckOutcome::DoesNotQualify,
                operator: None,
                organisation: None,
            })
            .await
            .unwrap();
    }
    let good = env.attesta(&["audit", "verify"]);
    assert_eq!(good.code, 0, "{good:?}");
    assert!(good.stdout.contains("5 entries, head "), "{}", good.stdout);

    exec(
        &env,
        "UPDATE verifications SET outcome = 'qualifies' WHERE verification_id = 'v2'",
    )
    .await;
    let tampered = env.attesta(&["audit", "verify"]);
    assert_eq!(tampered.code, 1, "{tampered:?}");
    assert!(
        tampered.stdout.contains("at entry v2:"),
        "{}",
        tampered.stdout
    );

    // Put it back: intact again, with the same head as before.
    exec(
        &env,
        "UPDATE verifications SET outcome = 'does_not_qualify' WHERE verification_id = 'v2'",
    )
    .await;
    let restored = env.attesta(&["audit", "verify"]);
    assert_eq!(restored.stdout, good.stdout);

    exec(
        &env,
        "DELETE FROM verifications WHERE verification_id = 'v1'",
    )
    .await;
    let deleted = env.attesta(&["audit", "verify"]);
    assert_eq!(deleted.code, 1, "{deleted:?}");
    assert!(
        deleted.stdout.contains("at entry v2:"),
        "{}",
        deleted.stdout
    );
}

/// `attesta serve --demo` with no rate limit to speak of (the load comes
/// from one address); killed when dropped.
struct Served {
    child: Child,
    base: String,
}

impl Drop for Served {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn serve(env: &Env) -> Served {
    let mut cmd = env.command(&["serve", "--demo", "--listen", "127.0.0.1:0"]);
    cmd.env("ATTESTA_RATE_LIMIT_PER_SECOND", "1000000")
        .env("ATTESTA_RATE_LIMIT_BURST", "1000000");
    let (child, base) = crate::server::spawn_serving(cmd);
    Served { child, base }
}

async fn answered_checks_survive_a_sigkill_mid_load(env: Env) {
    let tokens = env.dir.path().join("tokens.csv");
    let seeded = env.attesta(&[
        "seed",
        "--people",
        "20",
        "--tokens",
        tokens.to_str().unwrap(),
    ]);
    assert_eq!(seeded.code, 0, "{seeded:?}");
    let pairs: Vec<(String, String)> = std::fs::read_to_string(&tokens)
        .unwrap()
        .lines()
        .map(|l| {
            let (t, cf) = l.split_once(',').unwrap();
            (t.to_owned(), cf.to_owned())
        })
        .collect();
    let mut server = serve(&env);
    attesta_app::sms::install_crypto_provider();
    let http = reqwest::Client::new();
    let answered = Arc::new(Mutex::new(Vec::<String>::new()));
    let mut tasks = Vec::new();
    for worker in 0..16 {
        let (http, base, pairs, answered) = (
            http.clone(),
            server.base.clone(),
            pairs.clone(),
            answered.clone(),
        );
        tasks.push(tokio::spawn(async move {
            for i in worker.. {
                let (token, cf) = &pairs[i % pairs.len()];
                let Ok(r) = http
                    .post(format!("{base}/api/v1/verify"))
                    .json(&serde_json::json!({"token": token, "fiscal_code": cf}))
                    .send()
                    .await
                else {
                    return; // the server is gone
                };
                if r.status() != 200 {
                    continue;
                }
                let Ok(body) = r.json::<serde_json::Value>().await else {
                    return;
                };
                let id = body["verification_id"].as_str().unwrap().to_owned();
                answered.lock().unwrap().push(id);
            }
        }));
    }
    // Let the load run, then kill the server in the middle of it.
    let deadline = std::time::Instant::now() + Duration::from_secs(60);
    while answered.lock().unwrap().len() < 300 {
        assert!(
            std::time::Instant::now() < deadline,
            "fewer than 300 checks answered in 60 s"
        );
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    server.child.kill().expect("SIGKILL");
    server.child.wait().unwrap();
    for t in tasks {
        t.await.unwrap();
    }
    let answered: BTreeSet<String> = answered.lock().unwrap().iter().cloned().collect();
    assert!(answered.len() >= 300);

    // The restarted server answers, and every answered check is logged.
    let again = serve(&env);
    let health = http
        .get(format!("{}/healthz", again.base))
        .send()
        .await
        .unwrap();
    assert_eq!(health.status(), 200);
    drop(again);
    let mut conn = AnyConnection::connect(&env.database_url()).await.unwrap();
    let logged: BTreeSet<String> = sqlx::query("SELECT verification_id FROM verifications")
        .fetch_all(&mut conn)
        .await
        .unwrap()
        .iter()
        .map(|r| r.try_get("verification_id").unwrap())
        .collect();
    let missing: Vec<_> = answered.difference(&logged).collect();
    assert!(missing.is_empty(), "answered but not logged: {missing:?}");
    let audit = env.attesta(&["audit", "verify"]);
    assert_eq!(audit.code, 0, "{audit:?}");
    assert!(
        audit.stdout.contains(&format!("{} entries", logged.len())),
        "{}",
        audit.stdout
    );
}
