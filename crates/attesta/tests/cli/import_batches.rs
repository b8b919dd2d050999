//! An import spread over many batches (the bulk path): duplicates,
//! confirmations, conflicts, unknown people and bad rows on both sides of
//! batch boundaries give the report and the stored state that row-by-row
//! ingestion gives, and the statuses equal a recomputation from the verbali.

use super::*;

fn person_line(i: u64, given: &str) -> String {
    format!(
        r#"{{"fiscal_code": "{}", "given_name": "{given}", "family_name": "Lotto", "birth_date": "1970-01-01"}}"#,
        attesta_app::seed::synthetic_fiscal_code(i)
    )
}

fn verbale_line(id: &str, who: &str, date: &str, definitive: bool, findings: &str) -> String {
    format!(
        r#"{{"verbale_id": "{id}", "fiscal_code": "{who}", "kind": "revision", "session_date": "{date}", "definitive": {definitive}, "source": "telematic"{findings}}}"#
    )
}

pub(super) async fn a_multi_batch_import_matches_row_by_row(env: Env) {
    // People, three per batch: the same person again in a later batch is
    // updated (its last row wins), a bad row between them is refused.
    let people = [
        person_line(0, "Anna"),
        person_line(1, "Bruno"),
        person_line(2, "Carla"),
        person_line(0, "Annalisa"),
        r#"{"fiscal_code": "RSSMRA80A01H501X", "given_name": "Rotto", "family_name": "X", "birth_date": "1980-01-01"}"#.to_owned(),
        person_line(1, "Bruno"),
        person_line(3, "Dora"),
    ];
    let file = env.file("people.jsonl", &(people.join("\n") + "\n"));
    let run = env.import(&file, 3);
    assert_eq!(run.code, 2, "{run:?}");
    assert!(
        run.stdout
            .contains("7 rows, 4 created, 2 updated, 0 unchanged, 1 rejected"),
        "{}",
        run.stdout
    );
    assert_reported(&run, 5, &["invalid_person", "fiscal_code"]);

    let a = attesta_app::seed::synthetic_fiscal_code(0);
    let b = attesta_app::seed::synthetic_fiscal_code(1);
    let c = attesta_app::seed::synthetic_fiscal_code(2);
    let (a, b, c) = (a.as_str(), b.as_str(), c.as_str());
    let stranger = stranger();
    let pct = |p: u32| format!(r#", "invalidity_code": "03", "invalidity_percentage": {p}"#);
    let lines = [
        // batch 1 (lines 1–3)
        verbale_line("L-A1", a, "2023-01-10", true, &pct(80)),
        verbale_line("L-B1", b, "2024-02-01", false, r#", "handicap": "art3_c3""#),
        verbale_line(
            "L-BAD",
            a,
            "2023-01-10",
            true,
            r#", "invalidity_code": "13""#,
        ),
        // batch 2 (4–6)
        verbale_line("L-A1", a, "2023-01-10", true, &pct(80)),
        verbale_line("L-B1", b, "2024-02-01", true, r#", "handicap": "art3_c3""#),
        verbale_line("L-A1", a, "2023-01-10", true, &pct(90)),
        // batch 3 (7–9)
        verbale_line("L-X1", &stranger, "2024-01-01", true, &pct(75)),
        r#"{"verbale_id": "L-JSON","#.to_owned(),
        verbale_line("L-A2", a, "2023-01-10", true, &pct(95)),
        // batch 4 (10–12)
        verbale_line("L-B1", b, "2024-02-01", false, r#", "handicap": "art3_c3""#),
        verbale_line("L-C1", c, "2021-03-03", false, r#", "deafness": true"#),
        verbale_line("L-C1", c, "2021-03-03", true, r#", "deafness": true"#),
    ];
    let file = env.file("verbali.jsonl", &(lines.join("\n") + "\n"));
    let run = env.import(&file, 3);
    assert_eq!(run.code, 2, "{run:?}");
    assert!(
        run.stdout
            .contains("12 rows, 4 created, 2 updated, 1 unchanged, 5 rejected"),
        "{}",
        run.stdout
    );
    for line in [1, 2, 4, 5, 9, 11, 12] {
        assert_not_reported(&run, line);
    }
    assert_reported(&run, 3, &["invalid_verbale", "invalidity_code"]);
    assert_reported(&run, 6, &["verbale_conflict"]);
    assert_reported(&run, 7, &["unknown_person", "fiscal_code"]);
    assert_reported(&run, 8, &["JSON"]);
    assert_reported(&run, 10, &["verbale_conflict"]);

    let store = env.store().await;
    assert_eq!(store.count_people().await.unwrap(), 4);
    let anna = store.person_by_fiscal_code(&cf(a)).await.unwrap().unwrap();
    assert_eq!(anna.person.given_name, "Annalisa", "the last row wins");
    assert_eq!(
        verbale_ids(&store, a).await,
        BTreeSet::from(["L-A1".into(), "L-A2".into()])
    );
    assert!(verbale_ids(&store, &stranger).await.is_empty());
    // Each status is the recomputation of the stored verbali: L-A2 (same
    // day, ingested later) gives 95 %, the confirmed L-B1 and L-C1 count.
    for (who, want) in [(a, "95"), (b, "art3_c3"), (c, "true")] {
        let record = store
            .person_by_fiscal_code(&cf(who))
            .await
            .unwrap()
            .unwrap();
        let verbali = store.verbali_of(&record.person_id).await.unwrap();
        let recomputed = attesta_domain::Status::compute(
            &verbali,
            attesta_domain::parse_date("2026-01-01").unwrap(),
        );
        assert_eq!(record.status.to_json(), recomputed.to_json(), "{who}");
        assert!(
            record.status.to_json().to_string().contains(want),
            "{who}: {want}"
        );
    }
    let anna = store.person_by_fiscal_code(&cf(a)).await.unwrap().unwrap();
    assert_eq!(
        anna.status.findings.invalidity.unwrap().percentage,
        Some(95)
    );

    // Again, with other batch boundaries: what was written is in place;
    // the non-definitive lines 2 and 11 now meet definitive verbali.
    let run = env.import(&file, 5);
    assert_eq!(run.code, 2, "{run:?}");
    for line in [2, 11] {
        assert_reported(&run, line, &["verbale_conflict"]);
    }
    assert!(
        run.stdout
            .contains("12 rows, 0 created, 0 updated, 5 unchanged, 7 rejected"),
        "{}",
        run.stdout
    );
}
