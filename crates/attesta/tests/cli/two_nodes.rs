//! Two `attesta serve` nodes on one PostgreSQL database behave as one
//! service (issue 17, SPEC §8): a login made on one node works on the
//! other, wrong codici fiscali alternating between the nodes lock the QR at
//! the shared limit, and a QR revoked on one node is gone on the other at
//! once. The second node's demo seeding over the first one's is harmless.

use reqwest::StatusCode;
use serde_json::{Value, json};

use attesta_testkit::{Setup, TestEngine};

use crate::Env;
use crate::server::serve;

const ADMIN_KEY: &str = "two-nodes-admin-key-0123456789";

#[tokio::test]
async fn two_nodes_on_postgresql_behave_as_one() {
    let Some((env, _guard)) = Env::setup(TestEngine::Postgres).await else {
        println!("skipped: TEST_DATABASE_URL is not set (PostgreSQL only)");
        return;
    };
    let a = serve(&env, ADMIN_KEY);
    // The second node starts on the same database (and data dir, so the
    // same demo secret): its demo seeding finds everything there.
    let b = serve(&env, ADMIN_KEY);
    let nodes = [a.base.clone(), b.base.clone()];
    attesta_app::sms::install_crypto_provider();
    // One browser: the session cookie made on one node goes to both (same host).
    let browser = reqwest::Client::builder()
        .cookie_store(true)
        .build()
        .unwrap();
    let plain = reqwest::Client::new();

    let holders = [
        attesta_testkit::people::cf("NRENNA70C44H501"),
        attesta_testkit::people::cf("BNCPLA75B12F205"),
    ];
    let births = ["1970-03-04", "1975-02-12"];
    let mut tokens = Vec::new();
    for (i, holder) in holders.iter().enumerate() {
        let (on, other) = (&nodes[i % 2], &nodes[(i + 1) % 2]);
        let put = plain
            .put(format!("{on}/api/v1/admin/people/{holder}"))
            .bearer_auth(ADMIN_KEY)
            .json(&json!({"given_name": "Anna", "family_name": "Neri", "birth_date": births[i]}))
            .send()
            .await
            .unwrap();
        assert_eq!(
            put.status(),
            StatusCode::CREATED,
            "{}",
            put.text().await.unwrap()
        );
        let verbale = plain
            .post(format!("{on}/api/v1/admin/verbali"))
            .bearer_auth(ADMIN_KEY)
            .json(
                &json!({"verbale_id": format!("TWO-NODES-{i}"), "fiscal_code": holder,
                "kind": "first_instance", "session_date": "2024-05-10", "definitive": true,
                "source": "telematic", "invalidity_code": "03", "invalidity_percentage": 80}),
            )
            .send()
            .await
            .unwrap();
        assert_eq!(
            verbale.status(),
            StatusCode::CREATED,
            "{}",
            verbale.text().await.unwrap()
        );
        // Logged in on one node, the session works on the other.
        let login = browser
            .post(format!("{on}/api/v1/demo/login"))
            .json(&json!({"fiscal_code": holder, "role": "citizen"}))
            .send()
            .await
            .unwrap();
        assert_eq!(login.status(), StatusCode::OK);
        let post = |path: &str| {
            browser
                .post(format!("{other}{path}"))
                .header("origin", other.as_str())
                .send()
        };
        assert_eq!(
            post("/api/v1/me/privacy-notice").await.unwrap().status(),
            204
        );
        let made = post("/api/v1/me/attestation").await.unwrap();
        assert_eq!(made.status(), StatusCode::CREATED);
        let made: Value = made.json().await.unwrap();
        let url = made["url"].as_str().unwrap().to_owned();
        tokens.push(url.rsplit('/').next().unwrap().to_owned());
    }

    let verify = |node: usize, token: &str, fiscal_code: &str| {
        plain
            .post(format!("{}/api/v1/verify", nodes[node]))
            .json(&json!({"token": token, "fiscal_code": fiscal_code}))
            .send()
    };
    // Wrong codici fiscali alternating between the nodes count against one
    // shared limit: 4, 3, 2, 1, 0 attempts left, then 429 on both nodes,
    // even for the right one.
    let wrong = attesta_testkit::people::cf("VRDLCU90C15F205");
    for (i, left) in [4, 3, 2, 1, 0].into_iter().enumerate() {
        let r = verify(i % 2, &tokens[0], &wrong).await.unwrap();
        assert_eq!(r.status(), StatusCode::FORBIDDEN, "attempt {}", i + 1);
        let body: Value = r.json().await.unwrap();
        assert_eq!(
            body["error"]["attempts_left"],
            left,
            "attempt {}: {body}",
            i + 1
        );
    }
    for node in [0, 1] {
        let r = verify(node, &tokens[0], &holders[0]).await.unwrap();
        assert_eq!(r.status(), StatusCode::TOO_MANY_REQUESTS, "node {node}");
        assert!(r.headers().contains_key("retry-after"));
    }

    // The second holder's QR answers on both nodes; revoked through node A,
    // node B answers 410 at once.
    for node in [0, 1] {
        let r = verify(node, &tokens[1], &holders[1]).await.unwrap();
        assert_eq!(r.status(), StatusCode::OK, "node {node}");
    }
    // The browser's session is the second holder's now.
    let revoked = browser
        .delete(format!("{}/api/v1/me/attestation", nodes[0]))
        .header("origin", nodes[0].as_str())
        .send()
        .await
        .unwrap();
    assert!(revoked.status().is_success(), "{}", revoked.status());
    let r = verify(1, &tokens[1], &holders[1]).await.unwrap();
    assert_eq!(r.status(), StatusCode::GONE);
    let body: Value = r.json().await.unwrap();
    assert_eq!(body["error"]["code"], "revoked_token", "{body}");
    drop((a, b));
}
