//! CSV files as spreadsheets write them (SPEC §7): `;`-delimited from an
//! Italian locale, with a BOM, and a file in another encoding than UTF-8,
//! refused as a whole.

use super::*;

pub(super) async fn a_semicolon_csv_from_an_italian_spreadsheet_imports(env: Env) {
    let giulia = &attesta_testkit::people::cf("BNCGLI85M52A662");
    let anna = &attesta_testkit::people::cf("VRDNNA90A41H501");
    let people = env.file(
        "persone.csv",
        &format!(
            "\u{feff}fiscal_code;given_name;family_name;birth_date;email\r\n\
             {MARIO};Niccolò;D'Annunzio;1980-01-01;mario@example.it\r\n\
             {giulia};محمد;Bianchi;1985-08-12;\r\n\
             {anna};Anna;<script>alert(1)</script>;1990-01-01;\r\n"
        ),
    );
    let run = env.import(&people, 500);
    assert_eq!(run.code, 2, "{run:?}");
    assert!(run.stdout.contains("3 rows, 1 created"), "{}", run.stdout);
    assert_not_reported(&run, 2);
    // The line of the file, as the spreadsheet numbers it.
    assert_reported(
        &run,
        3,
        &["given_name", "U+0645", "Latin, Greek or Cyrillic"],
    );
    // Markup is no name either (SPEC §2): reported, nothing stored.
    assert_reported(&run, 4, &["family_name", "U+003C"]);
    let store = env.store().await;
    let mario = store
        .person_by_fiscal_code(&cf(MARIO))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(mario.person.given_name, "Niccolò");
    for refused in [giulia, anna] {
        assert!(
            store
                .person_by_fiscal_code(&cf(refused))
                .await
                .unwrap()
                .is_none()
        );
    }

    // Booleans as an Italian spreadsheet writes them.
    let verbali = env.file(
        "verbali.csv",
        &format!(
            "verbale_id;fiscal_code;kind;session_date;definitive;source;invalidity_code;invalidity_percentage;accompaniment;judgement\n\
             IT-1;{MARIO};first_instance;2024-05-10;VERO;telematic;03;80;falso;\"rivedibile; 80%, non grave\"\n\
             IT-2;{MARIO};aggravation;2024-06-10;forse;telematic;;;;\n"
        ),
    );
    let run = env.import(&verbali, 500);
    assert_eq!(run.code, 2, "{run:?}");
    assert_not_reported(&run, 2);
    assert_reported(&run, 3, &["definitive", "true or false"]);
    assert_eq!(
        verbale_ids(&store, MARIO).await,
        BTreeSet::from(["IT-1".into()])
    );
}

pub(super) async fn a_file_that_is_not_utf8_is_refused_as_a_whole(env: Env) {
    // "Niccolò" and "Forlì" as Windows-1252 writes them: one byte each.
    let mut bytes = b"fiscal_code;given_name;family_name;birth_date\r\n".to_vec();
    bytes.extend_from_slice(format!("{MARIO};Mario;Rossi;1980-01-01\r\n").as_bytes());
    bytes.extend_from_slice(b"BNCGLI85M52A662X;Niccol\xF2;Forl\xEC;1985-08-12\r\n");
    let path = env.dir.path().join("windows.csv");
    std::fs::write(&path, &bytes).unwrap();
    for path in [path, {
        let jsonl = env.dir.path().join("windows.jsonl");
        std::fs::write(
            &jsonl,
            b"{\"fiscal_code\":\"RSSMRA80A01H501U\",\"given_name\":\"Niccol\xF2\"}\n",
        )
        .unwrap();
        jsonl
    }] {
        let run = env.import(&path, 500);
        assert_eq!(run.code, 1, "{run:?}");
        // Once, for the file, with the line and how to fix it; no row report.
        assert_eq!(run.stderr.matches("not UTF-8").count(), 1, "{}", run.stderr);
        assert!(run.stderr.contains("CSV UTF-8"), "{}", run.stderr);
        assert!(
            !run.stderr.contains("line 1:") && !run.stderr.contains("line 3:"),
            "{}",
            run.stderr
        );
        let expected_line = if path.extension().unwrap() == "csv" {
            3
        } else {
            1
        };
        assert!(
            run.stderr.contains(&format!("(line {expected_line} ")),
            "{}",
            run.stderr
        );
    }
    // Nothing was written, not even the good row before the bad one.
    let store = env.store().await;
    assert!(
        store
            .person_by_fiscal_code(&cf(MARIO))
            .await
            .unwrap()
            .is_none()
    );
}
