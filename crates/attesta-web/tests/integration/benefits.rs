//! Issue #8: `GET /api/v1/me/benefits` (SPEC §6, §9.10) and the citizen page
//! `GET /me/benefits`, end to end.

use attesta_testkit::on_both_engines;
use attesta_testkit::people::{MARIO, cf};
use serde_json::{Value, json};

use crate::support::{self, TestApp};

on_both_engines!(
    benefits_json_shape_and_income,
    benefits_for_several_statuses,
    benefits_on_a_date_and_the_source_year,
    benefits_bad_query_values,
    benefits_page_without_javascript,
);

async fn get(c: &support::Citizen, path: &str) -> (u16, Value) {
    let r = c.get(path).await;
    let status = r.status().as_u16();
    (status, r.json().await.unwrap())
}

fn find<'a>(body: &'a Value, id: &str) -> &'a Value {
    body["economic"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["id"] == id)
        .unwrap_or_else(|| panic!("{id} not in {body}"))
}

fn ids(body: &Value, list: &str) -> Vec<String> {
    body[list]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["id"].as_str().unwrap().to_owned())
        .collect()
}

async fn benefits_json_shape_and_income(t: TestApp) {
    t.person_with(
        MARIO,
        "1980-01-01",
        json!({"invalidity_code": "03", "invalidity_percentage": 80}),
    )
    .await;
    let c = t.citizen(MARIO).await;
    let (status, body) = get(&c, "/api/v1/me/benefits").await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["year"], 2024);
    assert_eq!(
        ids(&body, "economic"),
        ["monthly_allowance", "thalassaemia_allowance"]
    );
    let m = find(&body, "monthly_allowance");
    assert_eq!(m["status"], "may_be_entitled");
    assert_eq!(m["monthly_amount_eur"], json!(333.33));
    assert_eq!(m["payments_per_year"], 13);
    assert!(m["name"].as_str().unwrap().contains("Monthly allowance"));
    assert!(
        m["condition"].as_str().unwrap().contains("€5,725.46"),
        "{m}"
    );
    assert!(m.get("reason").is_none() && m.get("incompatible_with").is_none());
    let thal = find(&body, "thalassaemia_allowance");
    assert_eq!(thal["status"], "depends");
    assert_eq!(thal["payments_per_year"], Value::Null);
    assert!(thal["condition"].as_str().unwrap().contains("520 weeks"));
    assert_eq!(
        ids(&body, "non_economic"),
        [
            "prostheses_and_aids",
            "special_placement_lists",
            "prescription_charge_exemption"
        ]
    );
    for n in body["non_economic"].as_array().unwrap() {
        assert!(n["name"].is_string());
    }
    // An income equal to the limit qualifies (§9.10); the condition is met.
    let (_, body) = get(&c, "/api/v1/me/benefits?income=5725.46").await;
    let m = find(&body, "monthly_allowance");
    assert_eq!(m["status"], "may_be_entitled");
    assert!(m.get("condition").is_none(), "{m}");
    // One cent more: excluded, because of income.
    let (_, body) = get(&c, "/api/v1/me/benefits?income=5725,47").await;
    let m = find(&body, "monthly_allowance");
    assert_eq!(
        (m["status"].as_str(), m["reason"].as_str()),
        (Some("excluded"), Some("income"))
    );
    // Nothing was stored: without the parameter the answer is as before.
    let (_, body) = get(&c, "/api/v1/me/benefits").await;
    assert_eq!(
        find(&body, "monthly_allowance")["status"],
        "may_be_entitled"
    );
}

async fn benefits_for_several_statuses(t: TestApp) {
    // Absolutely blind adult: pension (non-hospitalised amount) and allowance.
    let giulia = cf("BNCGLI85M52A662");
    t.person_with(&giulia, "1985-08-12", json!({"invalidity_code": "09"}))
        .await;
    let (_, body) = get(&t.citizen(&giulia).await, "/api/v1/me/benefits").await;
    assert_eq!(
        ids(&body, "economic"),
        [
            "absolute_blind_pension",
            "blind_accompaniment_allowance",
            "thalassaemia_allowance"
        ]
    );
    assert_eq!(
        find(&body, "absolute_blind_pension")["monthly_amount_eur"],
        json!(360.48)
    );
    assert!(
        find(&body, "absolute_blind_pension")["note"]
            .as_str()
            .unwrap()
            .contains("hospitalised")
    );
    assert_eq!(
        find(&body, "blind_accompaniment_allowance")["monthly_amount_eur"],
        json!(978.5)
    );

    // Invalid minor with accompaniment: attendance allowance or accompaniment,
    // both listed, each naming the other (on a day when the child is 10).
    let luca = cf("VRDLCU14H01F205");
    t.person_with(
        &luca,
        "2014-06-01",
        json!({"invalidity_code": "07", "accompaniment": true}),
    )
    .await;
    let (status, body) = get(&t.citizen(&luca).await, "/api/v1/me/benefits?on=2024-06-30").await;
    assert_eq!(status, 200, "{body}");
    let acc = find(&body, "accompaniment_allowance");
    let att = find(&body, "attendance_allowance");
    assert_eq!(acc["status"], "may_be_entitled");
    assert_eq!(acc["incompatible_with"], json!(["attendance_allowance"]));
    assert_eq!(att["status"], "depends");
    assert_eq!(att["incompatible_with"], json!(["accompaniment_allowance"]));
    assert_eq!(att["payments_per_year"], Value::Null);
    assert!(att["note"].as_str().unwrap().contains("choose"));
    let thal = find(&body, "thalassaemia_allowance");
    assert_eq!(
        (thal["status"].as_str(), thal["reason"].as_str()),
        (Some("excluded"), Some("age"))
    );

    // Severe handicap only: no economic benefit but the thalassaemia one;
    // the Law 104 permits and leaves.
    let anna = cf("NNAFRR90A41H501");
    t.person_with(&anna, "1990-01-01", json!({"handicap": "art3_c3"}))
        .await;
    let (_, body) = get(&t.citizen(&anna).await, "/api/v1/me/benefits?on=2025-06-01").await;
    assert_eq!(ids(&body, "economic"), ["thalassaemia_allowance"]);
    assert_eq!(
        ids(&body, "non_economic"),
        [
            "law104_tax_benefits",
            "law104_permits_for_the_worker",
            "law104_permits_for_family",
            "extraordinary_leave"
        ]
    );
}

async fn benefits_on_a_date_and_the_source_year(t: TestApp) {
    t.person_with(
        MARIO,
        "1980-01-01",
        json!({"invalidity_code": "04", "invalidity_percentage": 100}),
    )
    .await;
    let c = t.citizen(MARIO).await;
    // A later year uses the latest tables, and says which.
    let (status, body) = get(&c, "/api/v1/me/benefits?on=2030-03-01").await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["year"], 2024);
    assert_eq!(
        find(&body, "incapacity_pension")["status"],
        "may_be_entitled"
    );
    // At 67 the incapacity pension becomes the assegno sociale.
    let (_, body) = get(&c, "/api/v1/me/benefits?on=2047-01-01").await;
    let p = find(&body, "incapacity_pension");
    assert_eq!(
        (p["status"].as_str(), p["reason"].as_str()),
        (Some("excluded"), Some("age"))
    );
    // Before the verbale (2024-05-10) the status was empty.
    let (_, body) = get(&c, "/api/v1/me/benefits?on=2024-05-01").await;
    assert_eq!(ids(&body, "economic"), ["thalassaemia_allowance"]);
    assert_eq!(ids(&body, "non_economic"), Vec::<String>::new());
    // No tables before 2024.
    let (status, body) = get(&c, "/api/v1/me/benefits?on=2023-12-31").await;
    assert_eq!(
        (status, body["error"]["code"].as_str()),
        (422, Some("invalid_query"))
    );
    assert_eq!(body["error"]["fields"][0]["field"], "on");
    assert!(body["error"]["message"].as_str().unwrap().contains("2024"));
}

async fn benefits_bad_query_values(t: TestApp) {
    let anonymous = support::client();
    let r = anonymous
        .get(t.url("/api/v1/me/benefits"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 401);
    t.person_with(
        MARIO,
        "1980-01-01",
        json!({"invalidity_code": "03", "invalidity_percentage": 80}),
    )
    .await;
    let c = t.citizen(MARIO).await;
    for (query, fields) in [
        ("income=abc", vec!["income"]),
        ("income=-5", vec!["income"]),
        ("income=1.000,50", vec!["income"]),
        ("on=2024-13-01", vec!["on"]),
        ("on=yesterday&income=1e3", vec!["income", "on"]),
        ("on=1979-12-31", vec!["on"]),
    ] {
        let (status, body) = get(&c, &format!("/api/v1/me/benefits?{query}")).await;
        assert_eq!(status, 422, "{query}: {body}");
        assert_eq!(body["error"]["code"], "invalid_query", "{query}");
        let got: Vec<&str> = body["error"]["fields"]
            .as_array()
            .unwrap()
            .iter()
            .map(|f| f["field"].as_str().unwrap())
            .collect();
        assert_eq!(got, fields, "{query}");
        assert!(!body["error"]["message"].as_str().unwrap().is_empty());
    }
    for query in ["salary=1000", "income=1&income=2"] {
        let (status, body) = get(&c, &format!("/api/v1/me/benefits?{query}")).await;
        assert_eq!(
            (status, body["error"]["code"].as_str()),
            (400, Some("invalid_request")),
            "{query}"
        );
    }
    // Empty values (a submitted empty form field) mean "not given".
    let (status, _) = get(&c, "/api/v1/me/benefits?income=&on=").await;
    assert_eq!(status, 200);
}

async fn benefits_page_without_javascript(t: TestApp) {
    let r = support::client()
        .get(t.url("/me/benefits"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 401);
    t.person_with(
        MARIO,
        "1980-01-01",
        json!({"invalidity_code": "03", "invalidity_percentage": 80}),
    )
    .await;
    let c = t.citizen(MARIO).await;
    let me = c.get("/me").await.text().await.unwrap();
    assert!(me.contains("href=\"/me/benefits\""), "a link from /me");
    let r = c.get("/me/benefits").await;
    assert_eq!(r.status(), 200);
    let html = r.text().await.unwrap();
    for needle in [
        "Cosa ti può spettare",
        "INPS",
        "2024",
        "<label for=\"income\"",
        "method=\"get\"",
        "<caption>",
        "scope=\"row\"",
        "€ 333,33",
        "Assegno mensile",
    ] {
        assert!(html.contains(needle), "{needle} missing");
    }
    assert!(!html.contains("<script"));
    assert!(
        !html.contains("What you may be entitled to"),
        "Italian only"
    );
    // The same page in English, all of it.
    let html = c.get("/me/benefits?lang=en").await.text().await.unwrap();
    for needle in [
        "What you may be entitled to",
        "Monthly allowance",
        "lang=\"en\"",
    ] {
        assert!(html.contains(needle), "{needle} missing in English");
    }
    assert!(!html.contains("Cosa ti può spettare"), "English only");
    // The income refines the answer.
    let html = c
        .get("/me/benefits?income=9000&lang=it")
        .await
        .text()
        .await
        .unwrap();
    assert!(html.contains("Non spetta con il reddito dichiarato"));
    assert!(html.contains("value=\"9000\""));
    // A bad value comes back to the form, saying what to fix.
    let r = c.get("/me/benefits?income=abc").await;
    assert_eq!(r.status(), 422);
    let html = r.text().await.unwrap();
    assert!(html.contains("aria-invalid=\"true\"") && html.contains("12000"));
}
