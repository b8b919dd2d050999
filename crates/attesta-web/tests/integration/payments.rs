//! Issue #14, payments (SPEC §11, "Pagamenti e cedolini"): the back office
//! records planned and paid payments of a benefit, idempotent by
//! `payment_id`; the holder (or a delegate acting for them) lists them.

use attesta_testkit::on_both_engines;
use attesta_testkit::people::{GIULIA, MARIO, cf};
use serde_json::{Value, json};

use crate::support::{ADMIN_KEY, TestApp, error_of};

on_both_engines!(
    payments_are_recorded_idempotently_and_listed,
    payment_refusals_say_what_to_fix_and_write_nothing,
    a_delegate_lists_the_holders_payments,
    the_page_lists_by_month_with_totals_per_benefit,
);

async fn post(t: &TestApp, body: &Value) -> reqwest::Response {
    t.http
        .post(t.url("/api/v1/admin/payments"))
        .bearer_auth(ADMIN_KEY)
        .json(body)
        .send()
        .await
        .unwrap()
}

fn planned(id: &str, code: &str) -> Value {
    json!({"payment_id": id, "fiscal_code": code, "benefit": "monthly_allowance",
           "period": "2026-01", "amount_eur": "333.33", "status": "planned"})
}

async fn person(t: &TestApp, code: &str, given: &str) {
    let r = t
        .admin_put_person(
            code,
            json!({"given_name": given, "family_name": "Rossi", "birth_date": "1980-01-01"}),
        )
        .await;
    assert!(r.status().is_success());
}

async fn list(c: &crate::support::Citizen) -> Value {
    let r = c.get("/api/v1/me/payments").await;
    assert_eq!(r.status(), 200);
    r.json().await.unwrap()
}

async fn payments_are_recorded_idempotently_and_listed(t: TestApp) {
    person(&t, MARIO, "Mario").await;
    let mario = t.citizen(MARIO).await;
    assert_eq!(list(&mario).await, json!([]));

    let p = planned("P-1", MARIO);
    let r = post(&t, &p).await;
    assert_eq!(r.status(), 201);
    assert_eq!(
        r.json::<Value>().await.unwrap(),
        json!({"payment_id": "P-1", "result": "created"})
    );
    let r = post(&t, &p).await;
    assert_eq!(r.status(), 200);
    assert_eq!(r.json::<Value>().await.unwrap()["result"], "unchanged");

    let mut paid = p.clone();
    paid["status"] = json!("paid");
    paid["paid_on"] = json!("2026-01-02");
    let r = post(&t, &paid).await;
    assert_eq!(r.status(), 200);
    assert_eq!(r.json::<Value>().await.unwrap()["result"], "paid");
    assert_eq!(post(&t, &paid).await.status(), 200);

    let mut older = planned("P-0", MARIO);
    older["period"] = json!("2025-12");
    older["benefit"] = json!("incapacity_pension");
    older["amount_eur"] = json!("1234.5");
    assert_eq!(post(&t, &older).await.status(), 201);

    assert_eq!(
        list(&mario).await,
        json!([
            {"payment_id": "P-1", "benefit": "monthly_allowance", "period": "2026-01",
             "amount_eur": "333.33", "status": "paid", "paid_on": "2026-01-02"},
            {"payment_id": "P-0", "benefit": "incapacity_pension", "period": "2025-12",
             "amount_eur": "1234.50", "status": "planned", "paid_on": null},
        ])
    );
}

async fn payment_refusals_say_what_to_fix_and_write_nothing(t: TestApp) {
    // Unknown person: the code of the verbali path.
    let (status, e) = error_of(post(&t, &planned("P-1", MARIO)).await).await;
    assert_eq!((status, e["code"].as_str()), (422, Some("unknown_person")));

    person(&t, MARIO, "Mario").await;
    let mut bad = planned("P-1", MARIO);
    bad["benefit"] = json!("bonus");
    bad["amount_eur"] = json!(333.33);
    bad["period"] = json!("2026-13");
    bad["paid_on"] = json!("2026-01-05");
    let (status, e) = error_of(post(&t, &bad).await).await;
    assert_eq!((status, e["code"].as_str()), (422, Some("invalid_payment")));
    let fields: Vec<&str> = e["fields"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["field"].as_str().unwrap())
        .collect();
    assert_eq!(fields, ["benefit", "period", "amount_eur", "paid_on"]);
    let reason = e["fields"][0]["reason"].as_str().unwrap();
    assert!(reason.contains("monthly_allowance"), "{reason}");

    let mut unpaid = planned("P-1", MARIO);
    unpaid["status"] = json!("paid");
    let (status, e) = error_of(post(&t, &unpaid).await).await;
    assert_eq!(
        (status, e["fields"][0]["field"].as_str()),
        (422, Some("paid_on"))
    );
    unpaid["paid_on"] = json!("2025-12-31");
    let (_, e) = error_of(post(&t, &unpaid).await).await;
    assert!(
        e["fields"][0]["reason"]
            .as_str()
            .unwrap()
            .contains("first day of the period")
    );

    let mut extra = planned("P-1", MARIO);
    extra["note"] = json!("x");
    let (status, e) = error_of(post(&t, &extra).await).await;
    assert_eq!((status, e["code"].as_str()), (400, Some("invalid_request")));

    let mario = t.citizen(MARIO).await;
    assert_eq!(list(&mario).await, json!([]), "nothing was written");

    assert_eq!(post(&t, &planned("P-1", MARIO)).await.status(), 201);
    let mut other = planned("P-1", MARIO);
    other["amount_eur"] = json!("333.34");
    let (status, e) = error_of(post(&t, &other).await).await;
    assert_eq!(
        (status, e["code"].as_str()),
        (409, Some("payment_conflict"))
    );
    assert!(e["message"].as_str().unwrap().contains("amount_eur"), "{e}");
    assert_eq!(list(&mario).await[0]["amount_eur"], "333.33");

    let r = t
        .http
        .post(t.url("/api/v1/admin/payments"))
        .json(&planned("P-2", MARIO))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 401);
}

async fn a_delegate_lists_the_holders_payments(t: TestApp) {
    let giulia = cf(&GIULIA[..15]);
    person(&t, MARIO, "Mario").await;
    person(&t, &giulia, "Giulia").await;
    let mario = t.citizen(MARIO).await;
    let r = mario
        .post_json("/api/v1/me/delegates", &json!({"fiscal_code": giulia}))
        .await;
    assert_eq!(r.status(), 201);
    assert_eq!(post(&t, &planned("P-M", MARIO)).await.status(), 201);
    assert_eq!(post(&t, &planned("P-G", &giulia)).await.status(), 201);

    let delegate = t.citizen(&giulia).await;
    assert_eq!(list(&delegate).await[0]["payment_id"], "P-G");
    let r = delegate
        .post_json("/api/v1/me/acting-for", &json!({"fiscal_code": MARIO}))
        .await;
    assert_eq!(r.status(), 200);
    let theirs = list(&delegate).await;
    assert_eq!(theirs.as_array().unwrap().len(), 1);
    assert_eq!(theirs[0]["payment_id"], "P-M");
}

async fn the_page_lists_by_month_with_totals_per_benefit(t: TestApp) {
    person(&t, MARIO, "Mario").await;
    let mario = t.citizen(MARIO).await;
    let html = mario.get("/me/payments").await.text().await.unwrap();
    assert!(html.contains("Non ci sono pagamenti registrati."), "{html}");
    let me = mario.get("/me").await.text().await.unwrap();
    assert!(me.contains("<a href=\"/me/payments\">Pagamenti e cedolini</a>"));

    let paid = |id: &str, period: &str, amount: &str| {
        json!({"payment_id": id, "fiscal_code": MARIO, "benefit": "monthly_allowance",
               "period": period, "amount_eur": amount, "status": "paid",
               "paid_on": format!("{period}-01")})
    };
    for body in [
        paid("P-1", "2026-01", "1000.50"),
        paid("P-2", "2026-02", "1000.50"),
        planned("P-3", MARIO),
    ] {
        assert!(post(&t, &body).await.status().is_success());
    }
    let r = mario.get("/me/payments").await;
    assert_eq!(r.status(), 200);
    assert_eq!(r.headers()["cache-control"], "no-store");
    let html = r.text().await.unwrap();
    // Totals: 2 × 1,000.50 paid, 333.33 planned (P-3 is 2026-01 too).
    assert!(
        html.contains("€ 2.001,00</td><td data-label=\"Previsto\">€ 333,33</td>"),
        "{html}"
    );
    // Newest month first, paid or planned in words.
    let at = |s: &str| html.find(s).unwrap_or_else(|| panic!("{s} not in {html}"));
    assert!(at("<th scope=\"row\">02/2026</th>") < at("<th scope=\"row\">01/2026</th>"));
    assert!(html.contains("Pagato il 01/02/2026"));
    // The way back to the personal area, after the tables (focus order).
    let back = at("<p><a href=\"/me\">Torna all&#39;area personale</a></p>");
    assert!(back > at("<th scope=\"row\">01/2026</th>"));
    assert!(html.contains("<strong>Previsto, non ancora pagato</strong>"));
    let en = mario
        .get("/me/payments?lang=en")
        .await
        .text()
        .await
        .unwrap();
    assert!(
        en.contains("€2,001.00</td><td data-label=\"Planned\">€333.33</td>"),
        "{en}"
    );
    assert!(en.contains("Paid on 01/02/2026"));
    // Nobody else's payments.
    person(&t, GIULIA, "Giulia").await;
    let giulia = t.citizen(GIULIA).await;
    let html = giulia.get("/me/payments").await.text().await.unwrap();
    assert!(html.contains("Non ci sono pagamenti registrati."));
}
