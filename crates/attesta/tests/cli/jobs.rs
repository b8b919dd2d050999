//! `attesta jobs run --on DATE` (SPEC §10.2): silent assent and certificate
//! expiry as of the day given, once; a second run does nothing and says so.
//! The journey is built through the use cases with a clock standing on a
//! fixed day, so the dates never depend on when the test runs.

use std::sync::Arc;

use attesta_app::{App, Config, ManualClock};
use attesta_credential::ServerSecret;
use attesta_testkit::on_both_engines;
use serde_json::json;
use time::macros::{date, datetime};

use crate::Env;

on_both_engines!(
    jobs_run_applies_silent_assent_and_expiry_once,
    two_nodes_running_the_jobs_at_once_apply_silent_assent_once,
    certificates_import_from_jsonl_and_csv,
    the_jobs_delete_one_time_codes_a_day_after_they_expire,
);

const HOLDER: &str = "RSSMRA80A01H501U";

async fn jobs_run_applies_silent_assent_and_expiry_once(env: Env) {
    // The first run creates the database: nothing to do.
    let first = env.attesta(&["jobs", "run", "--on", "2026-09-10"]);
    assert_eq!(first.code, 0, "{}", first.stderr);
    assert_eq!(first.stdout.trim(), "jobs on 2026-09-10: nothing to do");

    // The back office's day: 2026-09-10 in Rome.
    let clock = Arc::new(ManualClock::new(datetime!(2026-09-10 10:00 UTC)));
    let app = App::with_clock(
        env.store().await,
        ServerSecret::generate(),
        Config::new("http://localhost"),
        clock,
    );
    let person = app
        .person_from_json(
            HOLDER,
            &json!({"given_name": "Mario", "family_name": "Rossi", "birth_date": "1980-01-01"}),
        )
        .unwrap();
    app.put_person(&person).await.unwrap();
    for (id, issued_on) in [("C-1", "2026-08-01"), ("C-OLD", "2026-06-20")] {
        let certificate = app
            .certificate_from_json(&json!({"certificate_id": id, "fiscal_code": HOLDER,
                "issued_on": issued_on, "purposes": ["invalidity"], "province": "BA",
                "procedure": "ordinary"}))
            .unwrap();
        app.put_certificate(&certificate).await.unwrap();
    }
    let request = app
        .application_request_from_json(
            &json!({"certificate_id": "C-1", "on": "2026-08-05", "via": "patronato"}),
        )
        .unwrap();
    let application_id = app.open_application(&request).await.unwrap();
    app.post_event(
        &application_id,
        &json!({"event": "visit_scheduled", "on": "2026-08-10",
                "visit": {"at": "2026-09-01T09:00:00+02:00", "place": "ASL Bari"}}),
    )
    .await
    .unwrap();
    // The commission's verbale of 2026-09-01: INPS's due day is 2026-10-31.
    let linked = app
        .linked_verbale_from_json(&json!({"verbale_id": "V-1", "fiscal_code": HOLDER,
            "kind": "first_instance", "session_date": "2026-09-01", "definitive": false,
            "source": "telematic", "invalidity_code": "03", "invalidity_percentage": 80,
            "application_id": application_id}))
        .unwrap();
    app.ingest_linked_verbale(&linked).await.unwrap();

    let on_due_day = env.attesta(&["jobs", "run", "--on", "2026-10-31"]);
    assert_eq!(on_due_day.code, 0, "{}", on_due_day.stderr);
    // C-OLD (2026-06-20 + 90 = 2026-09-18) has expired; silent assent not yet.
    assert_eq!(
        on_due_day.stdout.trim(),
        "jobs on 2026-10-31: silent assent applied to 0 application(s); 1 certificate(s) expired; 0 expired one-time code(s) deleted; 0 verification log entries past retention deleted"
    );
    let store = env.store().await;
    assert_eq!(
        store
            .application(&application_id)
            .await
            .unwrap()
            .unwrap()
            .state
            .as_str(),
        "awaiting_inps"
    );

    let next_day = env.attesta(&["jobs", "run", "--on", "2026-11-01"]);
    assert_eq!(next_day.code, 0, "{}", next_day.stderr);
    assert_eq!(
        next_day.stdout.trim(),
        "jobs on 2026-11-01: silent assent applied to 1 application(s); 0 certificate(s) expired; 0 expired one-time code(s) deleted; 0 verification log entries past retention deleted"
    );
    let verbale = store.verbale("V-1").await.unwrap().unwrap();
    assert!(verbale.verbale.definitive);
    assert_eq!(verbale.definitive_on, Some(date!(2026 - 11 - 01)));
    assert_eq!(
        store
            .application(&application_id)
            .await
            .unwrap()
            .unwrap()
            .state
            .as_str(),
        "concluded"
    );
    let holder = store
        .person_by_fiscal_code(&crate::cf(HOLDER))
        .await
        .unwrap()
        .unwrap();
    assert!(!holder.status.is_empty(), "the status follows the verbale");
    assert_eq!(
        store
            .certificate("C-OLD")
            .await
            .unwrap()
            .unwrap()
            .expired_on,
        Some(date!(2026 - 09 - 19))
    );

    let again = env.attesta(&["jobs", "run", "--on", "2026-11-01"]);
    assert_eq!(again.stdout.trim(), "jobs on 2026-11-01: nothing to do");
    let events = store.events_of(&application_id).await.unwrap();
    assert_eq!(
        events
            .iter()
            .filter(|e| e.kind.as_str() == "silent_assent")
            .count(),
        1
    );

    let bad = env.attesta(&["jobs", "run", "--on", "1 November"]);
    assert_eq!(bad.code, 2);
    assert!(bad.stderr.contains("write YYYY-MM-DD"), "{}", bad.stderr);
}

async fn certificates_import_from_jsonl_and_csv(env: Env) {
    let people = env.file(
        "people.jsonl",
        &format!(
            "{{\"fiscal_code\": \"{HOLDER}\", \"given_name\": \"Mario\", \"family_name\": \"Rossi\", \"birth_date\": \"1980-01-01\"}}\n"
        ),
    );
    assert_eq!(env.import(&people, 10).code, 0);
    // A row with a certificate_id is a certificate; a bad one is reported
    // with every reason and the others are stored.
    let jsonl = env.file(
        "certificates.jsonl",
        &format!(
            "{{\"certificate_id\": \"C-J1\", \"fiscal_code\": \"{HOLDER}\", \"issued_on\": \"2026-08-01\", \"purposes\": [\"invalidity\"], \"province\": \"BA\", \"procedure\": \"ordinary\"}}\n\
             {{\"certificate_id\": \"C-J2\", \"fiscal_code\": \"{HOLDER}\", \"issued_on\": \"2026-08-01\", \"purposes\": [], \"province\": \"XX\"}}\n"
        ),
    );
    let run = env.import(&jsonl, 10);
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert!(
        run.stdout.contains("imported certificates") && run.stdout.contains("1 created"),
        "{}",
        run.stdout
    );
    assert!(
        run.stderr.contains("line 2: invalid_certificate: "),
        "{}",
        run.stderr
    );
    assert!(run.stderr.contains("province"), "{}", run.stderr);
    // The CSV form: purposes separated by ';'. Again: unchanged.
    let csv = env.file(
        "certificates.csv",
        &format!(
            "certificate_id,fiscal_code,issued_on,purposes,province,oncological,procedure\n\
             C-C1,{HOLDER},2026-08-02,handicap;law68_disability,BA,true,ordinary\n"
        ),
    );
    for expected in ["1 created", "1 unchanged"] {
        let run = env.import(&csv, 10);
        assert_eq!(run.code, 0, "{}", run.stderr);
        assert!(run.stdout.contains(expected), "{}", run.stdout);
    }
    let store = env.store().await;
    let c = store.certificate("C-C1").await.unwrap().unwrap();
    assert_eq!(
        c.purposes.iter().map(|p| p.as_str()).collect::<Vec<_>>(),
        ["handicap", "law68_disability"]
    );
    assert!(c.oncological);
    assert!(store.certificate("C-J1").await.unwrap().is_some());
    assert!(store.certificate("C-J2").await.unwrap().is_none());
}

/// An app over the test's database whose clock stands on 2026-09-10.
async fn back_office(env: &Env) -> App {
    let clock = Arc::new(ManualClock::new(datetime!(2026-09-10 10:00 UTC)));
    App::with_clock(
        env.store().await,
        ServerSecret::generate(),
        Config::new("http://localhost"),
        clock,
    )
}

async fn two_nodes_running_the_jobs_at_once_apply_silent_assent_once(env: Env) {
    // Creates the database.
    assert_eq!(env.attesta(&["jobs", "run", "--on", "2026-09-10"]).code, 0);
    let app = back_office(&env).await;
    let mut ids = Vec::new();
    for i in 0..6 {
        let cf = attesta_testkit::people::cf(&format!("RSSMRA80A0{}H501", i + 1));
        let person = app
            .person_from_json(
                &cf,
                &json!({"given_name": "Mario", "family_name": "Rossi",
                        "birth_date": format!("1980-01-0{}", i + 1)}),
            )
            .unwrap();
        app.put_person(&person).await.unwrap();
        let cert = format!("C-{i}");
        let certificate = app
            .certificate_from_json(&json!({"certificate_id": cert, "fiscal_code": cf,
                "issued_on": "2026-08-01", "purposes": ["invalidity"], "province": "BA",
                "procedure": "ordinary"}))
            .unwrap();
        app.put_certificate(&certificate).await.unwrap();
        let request = app
            .application_request_from_json(&json!({"certificate_id": cert, "on": "2026-08-05"}))
            .unwrap();
        let id = app.open_application(&request).await.unwrap();
        app.post_event(
            &id,
            &json!({"event": "visit_scheduled", "on": "2026-08-10",
                    "visit": {"at": "2026-09-01T09:00:00+02:00", "place": "ASL Bari"}}),
        )
        .await
        .unwrap();
        let linked = app
            .linked_verbale_from_json(&json!({"verbale_id": format!("V-{i}"), "fiscal_code": cf,
                "kind": "first_instance", "session_date": "2026-09-01", "definitive": false,
                "source": "telematic", "invalidity_code": "03", "invalidity_percentage": 80,
                "application_id": id}))
            .unwrap();
        app.ingest_linked_verbale(&linked).await.unwrap();
        ids.push(id);
    }
    // Two processes, as two nodes would, at the same moment.
    let args = ["jobs", "run", "--on", "2026-11-01"];
    let spawn = || {
        env.command(&args)
            .stdout(std::process::Stdio::piped())
            .spawn()
            .expect("attesta starts")
    };
    let (first, second) = (spawn(), spawn());
    let outputs: Vec<String> = [first, second]
        .into_iter()
        .map(|child| {
            let out = child.wait_with_output().unwrap();
            assert!(out.status.success());
            String::from_utf8_lossy(&out.stdout).trim().to_owned()
        })
        .collect();
    // Together they applied it six times: one did all, or one found the
    // other's lock (or, after it, nothing to do).
    let applied: usize = outputs
        .iter()
        .filter_map(|o| o.split("silent assent applied to ").nth(1))
        .filter_map(|rest| rest.split(' ').next()?.parse::<usize>().ok())
        .sum();
    assert_eq!(applied, 6, "{outputs:?}");
    assert!(
        outputs
            .iter()
            .any(|o| o.contains("another node is running them") || o.contains("nothing to do")),
        "{outputs:?}"
    );
    let store = env.store().await;
    for id in &ids {
        let events = store.events_of(id).await.unwrap();
        let assents = events
            .iter()
            .filter(|e| e.kind.as_str() == "silent_assent")
            .count();
        assert_eq!(assents, 1, "{id}: {outputs:?}");
        assert_eq!(
            store.application(id).await.unwrap().unwrap().state.as_str(),
            "concluded"
        );
    }
}

/// Retention by the jobs (SPEC §12), by the injected clock: one-time codes a
/// day after their expiry, verification log entries after 730 days.
async fn the_jobs_delete_one_time_codes_a_day_after_they_expire(env: Env) {
    use attesta_store::{OtpRecord, OtpState};
    let clock = Arc::new(ManualClock::new(datetime!(2026-09-10 10:00 UTC)));
    std::fs::create_dir_all(env.data_dir()).unwrap();
    let store = env.store().await;
    let app = App::with_clock(
        store.clone(),
        ServerSecret::generate(),
        Config::new("http://localhost"),
        clock.clone(),
    );
    let person = app
        .person_from_json(
            HOLDER,
            &json!({"given_name": "Mario", "family_name": "Rossi", "birth_date": "1980-01-01"}),
        )
        .unwrap();
    app.put_person(&person).await.unwrap();
    let person_id = store
        .person_by_fiscal_code(&person.fiscal_code)
        .await
        .unwrap()
        .unwrap()
        .person_id;
    store
        .create_attestation(&person_id, "a1", "hash1", 0)
        .await
        .unwrap();
    let now = attesta_app::to_millis(datetime!(2026-09-10 10:00 UTC));
    let hour = 60 * 60 * 1000;
    // Expired 25 hours ago, and 23 hours ago.
    for (id, expires_at) in [("older", now - 25 * hour), ("newer", now - 23 * hour)] {
        store
            .insert_otp(&OtpRecord {
                otp_request_id: id.into(),
                attestation_id: "a1".into(),
                person_id: person_id.clone(),
                session_hash: "s".into(),
                operator: "op".into(),
                organisation: None,
                code_mac: "mac".into(),
                created_at: expires_at - 300_000,
                expires_at,
                failures: 0,
                state: OtpState::Pending,
            })
            .await
            .unwrap();
    }
    let report = app.run_jobs(date!(2026 - 09 - 10)).await.unwrap();
    assert_eq!(report.otp_requests_deleted, 1);
    assert!(store.otp("older").await.unwrap().is_none());
    assert!(store.otp("newer").await.unwrap().is_some());
    // Two hours later the other one is a day past its expiry too.
    clock.advance(std::time::Duration::from_secs(2 * 60 * 60));
    let report = app.run_jobs(date!(2026 - 09 - 10)).await.unwrap();
    assert_eq!(report.otp_requests_deleted, 1);
    assert!(
        report
            .summary(date!(2026 - 09 - 10))
            .contains("1 expired one-time code(s) deleted")
    );
    assert!(store.otp("newer").await.unwrap().is_none());

    // The verification log keeps 730 days (ATTESTA_LOG_RETENTION_DAYS) by
    // the same clock: an entry of 731 days ago goes, one of 729 stays, and
    // the kept log still verifies.
    use attesta_domain::CheckOutcome;
    use attesta_store::{AuditReport, VerificationRecord};
    let day = 24 * hour;
    let clock_now = now + 2 * hour;
    for (id, at) in [
        ("old-check", clock_now - 731 * day),
        ("kept-check", clock_now - 729 * day),
    ] {
        store
            .log_verification(&VerificationRecord {
                verification_id: id.into(),
                person_id: Some(person_id.clone()),
                attestation_id: Some("a1".into()),
                at,
                level: 1,
                outcome: CheckOutcome::Qualifies,
                operator: None,
                organisation: None,
            })
            .await
            .unwrap();
    }
    let report = app.run_jobs(date!(2026 - 09 - 10)).await.unwrap();
    assert_eq!(report.log_entries_deleted, 1);
    assert!(
        report
            .summary(date!(2026 - 09 - 10))
            .contains("1 verification log entries past retention deleted")
    );
    match store.audit_log().await.unwrap() {
        AuditReport::Intact { entries, .. } => assert_eq!(entries, 1),
        broken => panic!("the kept log does not verify: {broken:?}"),
    }
    let report = app.run_jobs(date!(2026 - 09 - 10)).await.unwrap();
    assert_eq!(report.log_entries_deleted, 0);
}
