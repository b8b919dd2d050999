//! `GET /metrics`: the series operations follow (docs/DEPLOYMENT.md). The
//! recorder is one per process and the tests run many servers at once, so
//! every assertion is on a series' presence or on how much it grew.

use attesta_testkit::people::{MARIO, cf};
use serde_json::json;

use crate::support::{TestApp, error_of};

async fn scrape(t: &TestApp) -> String {
    let r = t.http.get(t.url("/metrics")).send().await.unwrap();
    assert_eq!(r.status(), 200);
    r.text().await.unwrap()
}

/// The sum of every sample of `name` whose labels include each of
/// `labels` (`key="value"`); 0 when there is none.
fn sum(text: &str, name: &str, labels: &[&str]) -> f64 {
    text.lines()
        .filter(|l| !l.starts_with('#'))
        .filter_map(|l| {
            let (series, value) = l.rsplit_once(' ')?;
            let (series_name, rest) = series.split_once('{').unwrap_or((series, ""));
            (series_name == name && labels.iter().all(|want| rest.contains(want)))
                .then(|| value.parse::<f64>().ok())
                .flatten()
        })
        .sum()
}

fn grew(before: &str, after: &str, name: &str, labels: &[&str]) -> f64 {
    sum(after, name, labels) - sum(before, name, labels)
}

pub async fn metrics_show_checks_otps_imports_jobs_and_the_pool(t: TestApp) {
    let token = t
        .attested(
            MARIO,
            json!({"invalidity_code": "03", "invalidity_percentage": 80}),
        )
        .await;
    let before = scrape(&t).await;

    assert_eq!(t.verify(&token, MARIO).await.status(), 200);
    let wrong = cf("BNCGLI85M52A662");
    let (status, _) = error_of(t.verify(&token, &wrong).await).await;
    assert_eq!(status, 403);
    // A demo level-2 code (the outbox gateway).
    let op = t.operator("Comune di Bari").await;
    let r = op
        .post_json(
            "/api/v1/verify/level2/otp",
            &json!({"token": token, "fiscal_code": MARIO}),
        )
        .await;
    assert_eq!(r.status(), 202);
    // An import through the application (the CLI's path): one row created,
    // one rejected.
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("people.jsonl");
    let good = cf("VRDLGU70A01H501");
    std::fs::write(
        &file,
        format!(
            "{}\n{}\n",
            json!({"fiscal_code": good, "given_name": "Luigi", "family_name": "Verdi", "birth_date": "1970-01-01"}),
            json!({"fiscal_code": "RSSMRA80A01H501X", "given_name": "Rotto", "family_name": "X", "birth_date": "1980-01-01"}),
        ),
    )
    .unwrap();
    let report = attesta_app::import::import_file(&t.app, &file, 500, |_, _| {})
        .await
        .unwrap();
    assert_eq!(
        (report.created, report.rejected.len()),
        (1, 1),
        "{report:?}"
    );
    let jobs = t.app.run_jobs(t.app.today()).await.unwrap();

    let after = scrape(&t).await;
    let checks = "attesta_verifications_total";
    assert!(
        grew(
            &before,
            &after,
            checks,
            &["level=\"1\"", "outcome=\"qualifies\""]
        ) >= 1.0,
        "{after}"
    );
    assert!(
        grew(
            &before,
            &after,
            checks,
            &["level=\"1\"", "outcome=\"fiscal_code_mismatch\""]
        ) >= 1.0,
        "{after}"
    );
    assert!(
        grew(
            &before,
            &after,
            checks,
            &["level=\"2\"", "outcome=\"otp_sent\""]
        ) >= 1.0,
        "{after}"
    );
    assert!(grew(&before, &after, "attesta_otp_sent_total", &[]) >= 1.0);
    let rows = "attesta_import_rows_total";
    assert!(
        grew(
            &before,
            &after,
            rows,
            &["kind=\"people\"", "outcome=\"created\""]
        ) >= 1.0
    );
    assert!(
        grew(
            &before,
            &after,
            rows,
            &["kind=\"people\"", "outcome=\"rejected\""]
        ) >= 1.0
    );
    let job_outcome = if jobs.ran { "ran" } else { "skipped" };
    assert!(
        grew(
            &before,
            &after,
            "attesta_job_runs_total",
            &[&format!("outcome=\"{job_outcome}\"")]
        ) >= 1.0,
        "{after}"
    );

    // Request counts and a real latency histogram, by template and status.
    let verify = ["route=\"/api/v1/verify\"", "status=\"200\""];
    assert!(grew(&before, &after, "attesta_http_requests_total", &verify) >= 1.0);
    assert!(
        after.lines().any(
            |l| l.starts_with("attesta_http_request_duration_seconds_bucket{")
                && l.contains("le=\"0.005\"")
                && verify.iter().all(|v| l.contains(v))
        ),
        "{after}"
    );
    assert!(
        grew(
            &before,
            &after,
            "attesta_http_request_duration_seconds_count",
            &verify
        ) >= 1.0
    );
    assert!(
        sum(
            &after,
            "attesta_http_requests_total",
            &["route=\"/api/v1/verify\"", "status=\"403\""]
        ) >= 1.0
    );

    // The pool, read at the scrape.
    for series in [
        "attesta_db_pool_connections{state=\"idle\"}",
        "attesta_db_pool_connections{state=\"in_use\"}",
        "attesta_db_pool_max_connections ",
        "attesta_db_pool_acquire_seconds_bucket{",
    ] {
        assert!(after.contains(series), "{series} in {after}");
    }
    assert!(sum(&after, "attesta_db_pool_max_connections", &[]) >= 1.0);

    // Nothing personal, no token, in any label.
    for secret in [token.as_str(), MARIO, good.as_str(), wrong.as_str()] {
        assert!(!after.contains(secret), "{secret} in /metrics");
    }
    assert!(!after.contains(&token.to_lowercase()));
}
