//! The limits hold under concurrency (SPEC §6, §12; docs/SECURITY.md): 50
//! wrong codici fiscali at once on one token let exactly the limit through,
//! 50 regenerations at once leave exactly one active QR; never a 500.

use std::collections::BTreeMap;

use attesta_testkit::people::{MARIO, cf};
use serde_json::{Value, json};

use crate::support::{TestApp, token_of};

fn qualifying() -> Value {
    json!({"invalidity_code": "03", "invalidity_percentage": 80})
}

/// Counts of `(status, code)` answers; `code` is the JSON error code, or
/// empty for a success.
async fn tally(tasks: Vec<tokio::task::JoinHandle<(u16, String)>>) -> BTreeMap<(u16, String), u32> {
    let mut seen = BTreeMap::new();
    for task in tasks {
        *seen.entry(task.await.unwrap()).or_default() += 1;
    }
    seen
}

async fn status_and_code(r: reqwest::Response) -> (u16, String) {
    let status = r.status().as_u16();
    let body: Value = r.json().await.unwrap_or(Value::Null);
    let code = body["error"]["code"].as_str().unwrap_or("").to_owned();
    (status, code)
}

pub async fn fifty_concurrent_wrong_codes_let_exactly_the_limit_through(t: TestApp) {
    let token = t.attested(MARIO, qualifying()).await;
    let wrong = cf("BNCGLI85M52A662");
    let mut tasks = Vec::new();
    for _ in 0..50 {
        let (http, url, token, wrong) = (
            t.http.clone(),
            t.url("/api/v1/verify"),
            token.clone(),
            wrong.clone(),
        );
        tasks.push(tokio::spawn(async move {
            let r = http
                .post(url)
                .json(&json!({"token": token, "fiscal_code": wrong}))
                .send()
                .await
                .unwrap();
            status_and_code(r).await
        }));
    }
    let seen = tally(tasks).await;
    let limit = 5; // max_fiscal_code_failures, the default
    assert_eq!(
        seen,
        BTreeMap::from([
            ((403, "fiscal_code_mismatch".to_owned()), limit),
            ((429, "too_many_attempts".to_owned()), 50 - limit),
        ]),
        "{seen:?}"
    );
    // Locked: the right code waits too.
    assert_eq!(t.verify(&token, MARIO).await.status(), 429);
}

pub async fn fifty_concurrent_regenerations_leave_one_active_qr(t: TestApp) {
    let first = t.attested(MARIO, qualifying()).await;
    let c = t.citizen(MARIO).await;
    let mut tasks = Vec::new();
    for _ in 0..50 {
        let (http, base) = (c.http.clone(), c.base.clone());
        tasks.push(tokio::spawn(async move {
            let r = http
                .post(format!("{base}/api/v1/me/attestation"))
                .header("origin", &base)
                .send()
                .await
                .unwrap();
            let status = r.status().as_u16();
            let body: Value = r.json().await.unwrap_or(Value::Null);
            let code = match status {
                201 => token_of(body["url"].as_str().unwrap()),
                _ => body["error"]["code"].as_str().unwrap_or("").to_owned(),
            };
            (status, code)
        }));
    }
    let mut made = Vec::new();
    for task in tasks {
        let (status, what) = task.await.unwrap();
        assert!(
            status == 201 || (400..500).contains(&status),
            "{status} {what}"
        );
        assert!(status == 201 || !what.is_empty(), "{status} without a code");
        if status == 201 {
            made.push(what);
        }
    }
    assert!(!made.is_empty(), "no regeneration succeeded");
    eprintln!("{} of 50 concurrent regenerations answered 201", made.len());
    // Exactly one of them is active: the current one; every other answers 410.
    let current: Value = c.get("/api/v1/me/attestation").await.json().await.unwrap();
    let active = token_of(current["url"].as_str().unwrap());
    assert!(made.contains(&active), "the active QR is one of those made");
    let mut active_count = 0;
    for token in made.iter().chain([&first]) {
        match t.verify(token, MARIO).await.status().as_u16() {
            200 => active_count += 1,
            410 => {}
            other => panic!("{other} for a regenerated QR"),
        }
    }
    assert_eq!(active_count, 1);
}
