//! SPEC §11: the verbale alert is in the database from the verbale's own
//! commit, so an `attesta serve` killed (SIGKILL) before delivering it
//! loses nothing: the next start delivers it, exactly once. The first
//! server's delivery round is an hour away (`ATTESTA_ALERTS_INTERVAL_SECONDS`,
//! the real task's own interval); the second's is every second.

use std::time::{Duration, Instant};

use attesta_domain::FiscalCode;
use attesta_testkit::on_both_engines;
use serde_json::{Value, json};

use crate::Env;
use crate::server::serve_with;

on_both_engines!(
    an_alert_committed_before_a_kill_is_delivered_once_after_the_restart,
    attesta_import_alerts_only_with_notify,
);

const ADMIN_KEY: &str = "alerts-crash-admin-key-0123456789";
const EMAIL: &str = "anna@example.it";
const MOBILE: &str = "+393331112223";

/// The demo outbox's messages to Anna's contacts: (channel, body).
async fn sent(http: &reqwest::Client, base: &str) -> Vec<(String, String)> {
    let outbox: Value = http
        .get(format!("{base}/api/v1/demo/outbox"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let mut out: Vec<(String, String)> = outbox
        .as_array()
        .unwrap()
        .iter()
        .filter(|m| m["to"] == EMAIL || m["to"] == MOBILE)
        .map(|m| {
            (
                m["channel"].as_str().unwrap().to_owned(),
                m["body"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    out.sort();
    out
}

async fn an_alert_committed_before_a_kill_is_delivered_once_after_the_restart(env: Env) {
    attesta_app::sms::install_crypto_provider();
    let holder = attesta_testkit::people::cf("NRENNA70C44H501");
    let http = reqwest::Client::new();
    let browser = reqwest::Client::builder()
        .cookie_store(true)
        .build()
        .unwrap();
    let first = serve_with(
        &env,
        ADMIN_KEY,
        &[("ATTESTA_ALERTS_INTERVAL_SECONDS", "3600")],
    );
    let base = first.base.clone();
    let r = http
        .put(format!("{base}/api/v1/admin/people/{holder}"))
        .bearer_auth(ADMIN_KEY)
        .json(
            &json!({"given_name": "Anna", "family_name": "Neri", "birth_date": "1970-03-04",
                      "email": EMAIL, "mobile": MOBILE}),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 201);
    let r = browser
        .post(format!("{base}/api/v1/demo/login"))
        .json(&json!({"fiscal_code": holder, "role": "citizen"}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    let r = browser
        .post(format!("{base}/api/v1/me/consents"))
        .header("origin", &base)
        .json(&json!({"proactive": true}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 204, "{}", r.text().await.unwrap());
    let r = http
        .post(format!("{base}/api/v1/admin/verbali"))
        .bearer_auth(ADMIN_KEY)
        .json(&json!({"verbale_id": "CRASH-1", "fiscal_code": holder,
            "kind": "first_instance", "session_date": "2024-05-10", "definitive": true,
            "source": "telematic", "invalidity_code": "03", "invalidity_percentage": 80}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 201);
    // Committed, not delivered: then SIGKILL (the Server's drop kills).
    let store = env.store().await;
    let alerts = store.alerts().await.unwrap();
    assert_eq!(alerts.len(), 2, "{alerts:?}");
    assert!(alerts.iter().all(|a| a.delivered_at.is_none()));
    assert!(sent(&http, &base).await.is_empty());
    drop(first);

    let second = serve_with(&env, ADMIN_KEY, &[("ATTESTA_ALERTS_INTERVAL_SECONDS", "1")]);
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        if sent(&http, &second.base).await.len() >= 2 {
            break;
        }
        assert!(Instant::now() < deadline, "the alerts were not delivered");
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    // A few more rounds: nothing sent twice.
    tokio::time::sleep(Duration::from_secs(3)).await;
    let delivered = sent(&http, &second.base).await;
    let channels: Vec<&str> = delivered.iter().map(|(c, _)| c.as_str()).collect();
    assert_eq!(channels, ["email", "sms"], "{delivered:?}");
    for (_, body) in &delivered {
        assert!(body.contains("/me"), "{body}");
        // The words but the address of /me (its port may hold any digits).
        let rest: Vec<&str> = body
            .split_whitespace()
            .filter(|w| !w.starts_with("http"))
            .collect();
        let rest = rest.join(" ");
        assert!(!rest.contains("80") && !rest.contains(&holder), "{body}");
    }
    let alerts = store.alerts().await.unwrap();
    assert!(
        alerts
            .iter()
            .all(|a| a.delivered_at.is_some() && a.attempts == 1),
        "{alerts:?}"
    );
}

/// `attesta import` alerts no one; `attesta import --notify` queues one
/// e-mail and one SMS per verbale it makes definitive, and a rerun of the
/// same file none more.
async fn attesta_import_alerts_only_with_notify(env: Env) {
    let holder = attesta_testkit::people::cf("NRENNA70C44H501");
    let people = env.file(
        "people.jsonl",
        &format!(
            "{}\n",
            json!({"fiscal_code": holder, "given_name": "Anna", "family_name": "Neri",
                   "birth_date": "1970-03-04", "email": EMAIL, "mobile": MOBILE})
        ),
    );
    assert_eq!(env.import(&people, 10).code, 0);
    let store = env.store().await;
    let person = store
        .person_by_fiscal_code(&FiscalCode::parse(&holder).unwrap())
        .await
        .unwrap()
        .unwrap();
    store
        .set_proactive_consent(&person.person_id, true, 1_795_000_000_000)
        .await
        .unwrap();
    let verbale = |id: &str| {
        json!({"verbale_id": id, "fiscal_code": holder, "kind": "first_instance",
            "session_date": "2024-05-10", "definitive": true, "source": "telematic",
            "invalidity_code": "03", "invalidity_percentage": 80})
    };
    let old = env.file("old.jsonl", &format!("{}\n", verbale("IMP-OLD")));
    let run = env.import(&old, 10);
    assert_eq!(run.code, 0, "{run:?}");
    assert!(store.alerts().await.unwrap().is_empty());
    let new = env.file(
        "new.jsonl",
        &format!("{}\n{}\n", verbale("IMP-OLD"), verbale("IMP-NEW")),
    );
    for _ in 0..2 {
        let file = new.to_str().unwrap();
        let run = env.attesta(&["import", file, "--notify"]);
        assert_eq!(run.code, 0, "{run:?}");
    }
    let alerts = store.alerts().await.unwrap();
    let mut got: Vec<(&str, &str)> = alerts
        .iter()
        .map(|a| (a.verbale_id.as_str(), a.channel.as_str()))
        .collect();
    got.sort();
    assert_eq!(got, [("IMP-NEW", "email"), ("IMP-NEW", "sms")]);
}
