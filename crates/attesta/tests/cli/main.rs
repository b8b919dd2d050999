//! The `attesta` binary's command-line tests: `import` and `seed` run as a
//! user runs them, on SQLite (a file in a temporary data directory) and on
//! PostgreSQL (a fresh schema, when `TEST_DATABASE_URL` is set; required
//! under `CI=true`).

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::Command;

use attesta_credential::Token;
use attesta_domain::FiscalCode;
use attesta_domain::fiscal_code::with_check_character;
use attesta_store::Store;
use attesta_testkit::{Setup, TestDatabase, TestEngine, fresh_database, on_both_engines};
use import_batches::a_multi_batch_import_matches_row_by_row;
use import_crash::an_import_killed_at_random_moments_then_rerun_writes_every_row_once;
use payments_import::payments_import_idempotently_and_refuse_what_conflicts;
use spreadsheet::{
    a_file_that_is_not_utf8_is_refused_as_a_whole,
    a_semicolon_csv_from_an_italian_spreadsheet_imports,
};

on_both_engines!(
    the_example_files_import_and_reimport_idempotently,
    bad_jsonl_rows_are_reported_and_nothing_of_them_is_written,
    bad_csv_rows_are_reported_and_nothing_of_them_is_written,
    a_bad_csv_header_is_fatal_before_any_row,
    a_database_failure_rolls_back_the_batch_and_stops,
    unknown_extensions_and_missing_files_are_fatal,
    seed_writes_valid_tokens,
    a_semicolon_csv_from_an_italian_spreadsheet_imports,
    a_file_that_is_not_utf8_is_refused_as_a_whole,
    a_multi_batch_import_matches_row_by_row,
    an_import_killed_at_random_moments_then_rerun_writes_every_row_once,
    payments_import_idempotently_and_refuse_what_conflicts,
);

/// One test's world: a data directory and, on PostgreSQL, a fresh schema.
struct Env {
    dir: tempfile::TempDir,
    db: Option<TestDatabase>,
}

/// What one run of the binary did.
#[derive(Debug)]
struct Run {
    code: i32,
    stdout: String,
    stderr: String,
}

impl Setup for Env {
    type Guard = ();

    async fn setup(engine: TestEngine) -> Option<(Env, ())> {
        let db = match engine {
            TestEngine::Sqlite => None,
            TestEngine::Postgres => Some(fresh_database(engine).await.expect("database")?),
        };
        let env = Env {
            dir: tempfile::tempdir().expect("temporary directory"),
            db,
        };
        Some((env, ()))
    }
}

impl Env {
    fn data_dir(&self) -> PathBuf {
        self.dir.path().join("data")
    }

    fn database_url(&self) -> String {
        match &self.db {
            Some(db) => db.url.clone(),
            None => format!(
                "sqlite://{}?mode=rwc",
                self.data_dir().join("attesta.sqlite").display()
            ),
        }
    }

    /// Runs `attesta --data-dir DIR ARGS…` with no `ATTESTA_*` variable
    /// from the caller's environment.
    fn attesta(&self, args: &[&str]) -> Run {
        let out = self
            .command(args)
            .output()
            .expect("the attesta binary runs");
        Run {
            code: out.status.code().unwrap_or(-1),
            stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
        }
    }

    /// The command [`Env::attesta`] runs, to start it in the background.
    fn command(&self, args: &[&str]) -> Command {
        self.command_in(&self.data_dir(), args)
    }

    /// [`Env::command`] on another data directory.
    fn command_in(&self, data_dir: &Path, args: &[&str]) -> Command {
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_attesta"));
        for (key, _) in std::env::vars_os() {
            if key.to_string_lossy().starts_with("ATTESTA_") {
                cmd.env_remove(&key);
            }
        }
        cmd.env_remove("DATABASE_URL").env("ATTESTA_LOG", "warn");
        if let Some(db) = &self.db {
            cmd.env("DATABASE_URL", &db.url);
        }
        cmd.arg("--data-dir").arg(data_dir).args(args);
        cmd
    }

    /// Runs `attesta --data-dir DIR ARGS…` on another data directory (a
    /// restore target), with the same database settings otherwise.
    fn attesta_in(&self, data_dir: &Path, args: &[&str]) -> Run {
        let out = self
            .command_in(data_dir, args)
            .output()
            .expect("the attesta binary runs");
        Run {
            code: out.status.code().unwrap_or(-1),
            stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
        }
    }

    fn import(&self, file: &Path, batch_size: usize) -> Run {
        let file = file.to_str().expect("UTF-8 path");
        self.attesta(&["import", file, "--batch-size", &batch_size.to_string()])
    }

    /// Writes a file into the test's directory and returns its path.
    fn file(&self, name: &str, content: &str) -> PathBuf {
        let path = self.dir.path().join(name);
        std::fs::write(&path, content).expect("write test file");
        path
    }

    async fn store(&self) -> Store {
        Store::connect(&self.database_url())
            .await
            .expect("the database opens")
    }
}

fn example(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../docs/examples")
        .join(name)
}

fn cf(s: &str) -> FiscalCode {
    FiscalCode::parse(s).expect("a valid codice fiscale")
}

/// The ids of the verbali stored for a person.
async fn verbale_ids(store: &Store, fiscal_code: &str) -> BTreeSet<String> {
    let Some(person) = store.person_by_fiscal_code(&cf(fiscal_code)).await.unwrap() else {
        return BTreeSet::new();
    };
    store
        .verbali_of(&person.person_id)
        .await
        .unwrap()
        .into_iter()
        .map(|v| v.id)
        .collect()
}

/// Asserts stderr reports `line N:` with every expected word.
fn assert_reported(run: &Run, line: u64, words: &[&str]) {
    let prefix = format!("line {line}: ");
    let Some(report) = run.stderr.lines().find(|l| l.starts_with(&prefix)) else {
        panic!("no report for line {line} in:\n{}", run.stderr);
    };
    for word in words {
        assert!(
            report.contains(word),
            "line {line} report {report:?} lacks {word:?}"
        );
    }
}

fn assert_not_reported(run: &Run, line: u64) {
    let prefix = format!("line {line}: ");
    assert!(
        !run.stderr.lines().any(|l| l.starts_with(&prefix)),
        "line {line} was reported:\n{}",
        run.stderr
    );
}

const MARIO: &str = attesta_testkit::people::MARIO;

async fn the_example_files_import_and_reimport_idempotently(env: Env) {
    let expected = [
        ("people.jsonl", "imported people", "4 rows, 4 created"),
        ("people.csv", "imported people", "3 rows, 3 created"),
        ("verbali.jsonl", "imported verbali", "4 rows, 4 created"),
        ("verbali.csv", "imported verbali", "4 rows, 4 created"),
        ("payments.jsonl", "imported payments", "3 rows, 3 created"),
        ("payments.csv", "imported payments", "2 rows, 2 created"),
    ];
    for (file, kind, counts) in expected {
        let run = env.import(&example(file), 2);
        assert_eq!(run.code, 0, "{file}: {run:?}");
        assert!(
            run.stdout.contains(kind) && run.stdout.contains(counts),
            "{file}: {}",
            run.stdout
        );
        assert!(run.stdout.contains("0 rejected"), "{file}: {}", run.stdout);
    }
    let again = [
        (
            "people.jsonl",
            "4 rows, 0 created, 4 updated, 0 unchanged, 0 rejected",
        ),
        (
            "people.csv",
            "3 rows, 0 created, 3 updated, 0 unchanged, 0 rejected",
        ),
        (
            "verbali.jsonl",
            "4 rows, 0 created, 0 updated, 4 unchanged, 0 rejected",
        ),
        (
            "verbali.csv",
            "4 rows, 0 created, 0 updated, 4 unchanged, 0 rejected",
        ),
        (
            "payments.jsonl",
            "3 rows, 0 created, 0 updated, 3 unchanged, 0 rejected",
        ),
        (
            "payments.csv",
            "2 rows, 0 created, 0 updated, 2 unchanged, 0 rejected",
        ),
    ];
    for (file, counts) in again {
        let run = env.import(&example(file), 500);
        assert_eq!(run.code, 0, "{file}: {run:?}");
        assert!(run.stdout.contains(counts), "{file}: {}", run.stdout);
    }

    let store = env.store().await;
    assert_eq!(store.count_people().await.unwrap(), 7);
    assert_eq!(
        verbale_ids(&store, MARIO).await,
        BTreeSet::from(["ASL-RM1-2024-000123".into(), "ASL-RM1-2025-000789".into()])
    );
    // Lower case in the file, stored upper case; a mobile with spaces.
    let sofia = store
        .person_by_fiscal_code(&cf("FRRSFO90T44A662B"))
        .await
        .unwrap()
        .expect("Sofia imported");
    assert_eq!(sofia.person.mobile.unwrap().as_str(), "+393205550101");
    // The CSV's code 05 filled in the accompaniment it implies.
    let anna = store
        .person_by_fiscal_code(&cf("GLLNNA58E60G273V"))
        .await
        .unwrap()
        .unwrap();
    let verbali = store.verbali_of(&anna.person_id).await.unwrap();
    assert_eq!(verbali[0].findings.accompaniment, Some(true));
    assert_eq!(
        verbali[0].findings.revision,
        Some(attesta_domain::Revision::Exempt)
    );
}

/// A codice fiscale that is valid but whose person was never imported.
fn stranger() -> String {
    with_check_character("NNTPRS70A01H501")
        .unwrap()
        .as_str()
        .to_owned()
}

/// Imports the example people and verbali the bad files build on.
fn import_examples(env: &Env) {
    for file in ["people.jsonl", "verbali.jsonl"] {
        let run = env.import(&example(file), 500);
        assert_eq!(run.code, 0, "{file}: {run:?}");
    }
}

async fn bad_jsonl_rows_are_reported_and_nothing_of_them_is_written(env: Env) {
    import_examples(&env);
    let base = |id: &str, cf: &str| {
        format!(
            r#""verbale_id": "{id}", "fiscal_code": "{cf}", "kind": "first_instance", "session_date": "2025-03-01", "definitive": true, "source": "telematic""#
        )
    };
    let stranger = stranger();
    let lines = [
        // 1: good
        format!(
            r#"{{{}, "invalidity_code": "02", "invalidity_percentage": 50}}"#,
            base("GOOD-1", MARIO)
        ),
        // 2: wrong check character
        format!(
            r#"{{{}, "handicap": "none"}}"#,
            base("BAD-CF", "RSSMRA80A01H501X")
        ),
        // 3: blank, skipped
        String::new(),
        // 4: unknown code
        format!(
            r#"{{{}, "invalidity_code": "13"}}"#,
            base("BAD-CODE", MARIO)
        ),
        // 5: percentage out of range
        format!(
            r#"{{{}, "invalidity_code": "03", "invalidity_percentage": 120}}"#,
            base("BAD-PCT", MARIO)
        ),
        // 6: code 09 means absolute blindness
        format!(
            r#"{{{}, "invalidity_code": "09", "blindness": "partial"}}"#,
            base("BAD-09", MARIO)
        ),
        // 7: a required field missing
        format!(
            r#"{{"verbale_id": "BAD-MISSING", "fiscal_code": "{MARIO}", "kind": "first_instance", "definitive": true, "source": "telematic"}}"#
        ),
        // 8: an imported verbale_id with other content
        format!(
            r#"{{{}, "invalidity_code": "03", "invalidity_percentage": 90}}"#,
            base("ASL-RM1-2024-000123", MARIO)
        ),
        // 9: a person never imported
        format!(
            r#"{{{}, "handicap": "art3_c3"}}"#,
            base("BAD-WHO", &stranger)
        ),
        // 10: a key the API does not know
        format!(
            r#"{{{}, "diagnosis": "ICD-9 250"}}"#,
            base("BAD-KEY", MARIO)
        ),
        // 11: not JSON
        r#"{"verbale_id": "BAD-JSON","#.to_owned(),
        // 12: good, after the bad ones
        format!(r#"{{{}, "handicap": "art3_c1"}}"#, base("GOOD-2", MARIO)),
    ];
    let file = env.file("bad.jsonl", &(lines.join("\n") + "\n"));
    let run = env.import(&file, 3);
    assert_eq!(run.code, 2, "{run:?}");
    assert!(
        run.stdout
            .contains("11 rows, 2 created, 0 updated, 0 unchanged, 9 rejected"),
        "{}",
        run.stdout
    );
    assert_not_reported(&run, 1);
    assert_reported(&run, 2, &["invalid_verbale", "fiscal_code", "check"]);
    assert_not_reported(&run, 3);
    assert_reported(&run, 4, &["invalidity_code", "\"01\" to \"12\""]);
    assert_reported(&run, 5, &["invalidity_percentage", "0 to 100"]);
    assert_reported(&run, 6, &["blindness", "code 09"]);
    assert_reported(&run, 7, &["session_date: is required"]);
    assert_reported(&run, 8, &["verbale_conflict"]);
    assert_reported(&run, 9, &["unknown_person", "fiscal_code"]);
    assert_reported(&run, 10, &["diagnosis"]);
    assert_reported(&run, 11, &["JSON"]);
    assert_not_reported(&run, 12);

    let store = env.store().await;
    assert_eq!(
        verbale_ids(&store, MARIO).await,
        BTreeSet::from([
            "ASL-RM1-2024-000123".into(),
            "GOOD-1".into(),
            "GOOD-2".into()
        ])
    );
    assert!(
        store
            .person_by_fiscal_code(&cf(&stranger))
            .await
            .unwrap()
            .is_none()
    );
    // The conflicting row did not change the stored verbale.
    let mario = store
        .person_by_fiscal_code(&cf(MARIO))
        .await
        .unwrap()
        .unwrap();
    let original = store
        .verbali_of(&mario.person_id)
        .await
        .unwrap()
        .into_iter()
        .find(|v| v.id == "ASL-RM1-2024-000123")
        .unwrap();
    assert_eq!(original.findings.invalidity.unwrap().percentage, Some(80));

    // Again: the good rows are found in place, the bad ones refused again.
    let run = env.import(&file, 500);
    assert_eq!(run.code, 2, "{run:?}");
    assert!(
        run.stdout
            .contains("11 rows, 0 created, 0 updated, 2 unchanged, 9 rejected"),
        "{}",
        run.stdout
    );
}

const CSV_HEADER: &str = "verbale_id,fiscal_code,kind,session_date,definitive,source,invalidity_code,invalidity_percentage,accompaniment,blindness,deafness,handicap,art21,law68_disability,dl5_2012_art4,revision_due,revision_exempt,revision_none,judgement";

async fn bad_csv_rows_are_reported_and_nothing_of_them_is_written(env: Env) {
    import_examples(&env);
    let stranger = stranger();
    // Every row has the 19 columns of the header.
    let row = |id: &str, cf: &str, date: &str, definitive: &str, findings: &str| {
        format!("{id},{cf},first_instance,{date},{definitive},telematic,{findings}")
    };
    let none = ",,,,,,,,,,,,";
    let rows = [
        // line 2: good, with a quoted judgement holding a comma
        row(
            "GOOD-1",
            MARIO,
            "2025-03-01",
            "true",
            "02,50,false,none,false,none,false,false,false,2027-01,,,\"Rivedibile, tra due anni\"",
        ),
        // 3: wrong check character
        row("BAD-CF", "RSSMRA80A01H501X", "2025-03-01", "true", none),
        // 4: unknown code
        row("BAD-CODE", MARIO, "2025-03-01", "true", "13,,,,,,,,,,,,"),
        // 5: percentage out of range
        row("BAD-PCT", MARIO, "2025-03-01", "true", "03,120,,,,,,,,,,,"),
        // 6: code 09 means absolute blindness
        row(
            "BAD-09",
            MARIO,
            "2025-03-01",
            "true",
            "09,,,partial,,,,,,,,,",
        ),
        // 7: a required field missing
        row("BAD-MISSING", MARIO, "", "true", none),
        // 8: an imported verbale_id with other content
        row(
            "ASL-RM1-2024-000123",
            MARIO,
            "2024-05-10",
            "true",
            "03,90,,,,,,,,,,,",
        ),
        // 9: a person never imported
        row(
            "BAD-WHO",
            &stranger,
            "2025-03-01",
            "true",
            ",,,,,art3_c3,,,,,,,",
        ),
        // 10: a boolean that is not true/false
        row("BAD-BOOL", MARIO, "2025-03-01", "yes", none),
        // 11: two revision columns set
        row(
            "BAD-REV",
            MARIO,
            "2025-03-01",
            "true",
            ",,,,,,,,,2027-01,true,,",
        ),
        // 12: a code without its leading zero
        row("BAD-ZERO", MARIO, "2025-03-01", "true", "3,80,,,,,,,,,,,"),
        // 13: good, after the bad ones; the code keeps its leading zero
        row(
            "GOOD-2",
            MARIO,
            "2025-03-02",
            "true",
            "04,100,,,,,,,,,true,,",
        ),
    ];
    let file = env.file("bad.csv", &format!("{CSV_HEADER}\n{}\n", rows.join("\n")));
    let run = env.import(&file, 4);
    assert_eq!(run.code, 2, "{run:?}");
    assert!(
        run.stdout
            .contains("12 rows, 2 created, 0 updated, 0 unchanged, 10 rejected"),
        "{}",
        run.stdout
    );
    assert_not_reported(&run, 1);
    assert_not_reported(&run, 2);
    assert_reported(&run, 3, &["invalid_verbale", "fiscal_code", "check"]);
    assert_reported(&run, 4, &["invalidity_code"]);
    assert_reported(&run, 5, &["invalidity_percentage", "0 to 100"]);
    assert_reported(&run, 6, &["blindness", "code 09"]);
    assert_reported(&run, 7, &["session_date: is required"]);
    assert_reported(&run, 8, &["verbale_conflict"]);
    assert_reported(&run, 9, &["unknown_person", "fiscal_code"]);
    assert_reported(&run, 10, &["definitive: must be true or false"]);
    assert_reported(&run, 11, &["revision"]);
    assert_reported(&run, 12, &["invalidity_code"]);
    assert_not_reported(&run, 13);

    let store = env.store().await;
    assert_eq!(
        verbale_ids(&store, MARIO).await,
        BTreeSet::from([
            "ASL-RM1-2024-000123".into(),
            "GOOD-1".into(),
            "GOOD-2".into()
        ])
    );
    assert!(
        store
            .person_by_fiscal_code(&cf(&stranger))
            .await
            .unwrap()
            .is_none()
    );
    let mario = store
        .person_by_fiscal_code(&cf(MARIO))
        .await
        .unwrap()
        .unwrap();
    let verbali = store.verbali_of(&mario.person_id).await.unwrap();
    let good1 = verbali.iter().find(|v| v.id == "GOOD-1").unwrap();
    assert_eq!(good1.judgement.as_deref(), Some("Rivedibile, tra due anni"));
    let good2 = verbali.iter().find(|v| v.id == "GOOD-2").unwrap();
    assert_eq!(good2.findings.invalidity.unwrap().code.as_string(), "04");

    // Only the good rows, again: found in place.
    let good = env.file(
        "good.csv",
        &format!("{CSV_HEADER}\n{}\n{}\n", rows[0], rows[11]),
    );
    let run = env.import(&good, 500);
    assert_eq!(run.code, 0, "{run:?}");
    assert!(
        run.stdout
            .contains("2 rows, 0 created, 0 updated, 2 unchanged, 0 rejected"),
        "{}",
        run.stdout
    );
}

async fn a_bad_csv_header_is_fatal_before_any_row(env: Env) {
    let file = env.file(
        "people.csv",
        "fiscal_code,given_name,family_name,birth_date,diagnosis\n\
         RSSMRA80A01H501U,Mario,Rossi,1980-01-01,x\n",
    );
    let run = env.import(&file, 500);
    assert_eq!(run.code, 1, "{run:?}");
    assert!(run.stderr.contains("diagnosis"), "{}", run.stderr);
    let file = env.file(
        "verbali.csv",
        "verbale_id,fiscal_code,kind\nV1,RSSMRA80A01H501U,revision\n",
    );
    let run = env.import(&file, 500);
    assert_eq!(run.code, 1, "{run:?}");
    assert!(
        run.stderr.contains("session_date, definitive, source"),
        "{}",
        run.stderr
    );
    assert_eq!(env.store().await.count_people().await.unwrap(), 0);
}

/// Makes the database refuse any person named "Boom", as a failing disk or
/// a lost connection would refuse a write.
async fn refuse_boom(env: &Env) {
    drop(env.store().await); // the schema exists
    sqlx::any::install_default_drivers();
    let mut conn = <sqlx::AnyConnection as sqlx::Connection>::connect(&env.database_url())
        .await
        .unwrap();
    let sql = if env.db.is_some() {
        "CREATE FUNCTION refuse_boom() RETURNS trigger AS $$ BEGIN \
           IF NEW.given_name = 'Boom' THEN RAISE EXCEPTION 'boom'; END IF; RETURN NEW; \
         END $$ LANGUAGE plpgsql; \
         CREATE TRIGGER refuse_boom BEFORE INSERT ON people \
           FOR EACH ROW EXECUTE FUNCTION refuse_boom();"
    } else {
        "CREATE TRIGGER refuse_boom BEFORE INSERT ON people \
           WHEN NEW.given_name = 'Boom' BEGIN SELECT RAISE(ABORT, 'boom'); END;"
    };
    sqlx::raw_sql(sql).execute(&mut conn).await.unwrap();
}

async fn a_database_failure_rolls_back_the_batch_and_stops(env: Env) {
    std::fs::create_dir_all(env.data_dir()).unwrap();
    refuse_boom(&env).await;
    let names = ["Anna", "Bruno", "Carla", "Dario", "Boom", "Fabio", "Gina"];
    let rows: Vec<String> = names
        .iter()
        .enumerate()
        .map(|(i, name)| {
            format!(
                r#"{{"fiscal_code": "{}", "given_name": "{name}", "family_name": "Test", "birth_date": "1980-01-01"}}"#,
                attesta_app::seed::synthetic_fiscal_code(i as u64)
            )
        })
        .collect();
    let file = env.file("people.jsonl", &(rows.join("\n") + "\n"));
    let run = env.import(&file, 2);
    assert_eq!(run.code, 1, "{run:?}");
    assert!(
        run.stderr.contains("batch starting at line 5")
            && run.stderr.contains("4 rows were committed"),
        "{}",
        run.stderr
    );
    assert!(run.stdout.contains("4 rows, 4 created"), "{}", run.stdout);
    let store = env.store().await;
    assert_eq!(
        store.count_people().await.unwrap(),
        4,
        "Fabio's batch rolled back"
    );
    let fabio = attesta_app::seed::synthetic_fiscal_code(5);
    assert!(store.person_by_fiscal_code(&fabio).await.unwrap().is_none());
}

async fn unknown_extensions_and_missing_files_are_fatal(env: Env) {
    let file = env.file("people.txt", "{}\n");
    let run = env.import(&file, 500);
    assert_eq!(run.code, 1, "{run:?}");
    assert!(
        run.stderr.contains(".jsonl") && run.stderr.contains(".csv"),
        "{}",
        run.stderr
    );
    let missing = env.dir.path().join("nowhere.jsonl");
    let run = env.import(&missing, 500);
    assert_eq!(run.code, 1, "{run:?}");
    assert!(
        run.stderr.contains("cannot read") && run.stderr.contains("nowhere.jsonl"),
        "{}",
        run.stderr
    );
    // An empty file is no error: nothing to do.
    let empty = env.file("empty.jsonl", "\n\n");
    let run = env.import(&empty, 500);
    assert_eq!(run.code, 0, "{run:?}");
    assert!(run.stdout.contains("0 rows"), "{}", run.stdout);
}

async fn seed_writes_valid_tokens(env: Env) {
    let tokens = env.dir.path().join("tokens.csv");
    let run = env.attesta(&[
        "seed",
        "--people",
        "50",
        "--tokens",
        tokens.to_str().unwrap(),
    ]);
    assert_eq!(run.code, 0, "{run:?}");
    assert!(run.stdout.contains("seeded 50 people"), "{}", run.stdout);
    let text = std::fs::read_to_string(&tokens).unwrap();
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines.len(), 50);
    let store = env.store().await;
    assert_eq!(store.count_people().await.unwrap(), 50);
    let mut seen = BTreeSet::new();
    for line in lines {
        let (token, fiscal_code) = line.split_once(',').expect("token,fiscal_code");
        assert_eq!(token.len(), 26, "{line}");
        let token = Token::parse(token).unwrap_or_else(|| panic!("token of {line} parses"));
        let fiscal_code = FiscalCode::parse(fiscal_code).expect("a valid codice fiscale");
        assert!(seen.insert(fiscal_code.as_str().to_owned()), "unique");
        // The token is the person's stored, active attestation.
        let found = store
            .lookup_token(&token.storage_hash())
            .await
            .unwrap()
            .expect("the token is stored");
        assert_eq!(found.fiscal_code, fiscal_code.as_str());
        assert_eq!(found.revoked_at, None);
    }
    // Seeding again finds the same people.
    let run = env.attesta(&["seed", "--people", "50"]);
    assert_eq!(run.code, 0, "{run:?}");
    assert!(
        run.stdout
            .contains("0 created, 50 already there, 0 new verbali"),
        "{}",
        run.stdout
    );
}
mod alerts_crash;
mod card;
mod db_outage;
mod import_batches;
mod import_crash;
mod jobs;
mod journey_citizen_e2e;
mod journey_e2e;
mod log_audit;
mod ops;
mod payments_import;
mod server;
mod sigterm;
mod spreadsheet;
mod timeouts;
mod two_nodes;

#[test]
fn configuration_mistakes_are_refused_with_what_to_fix() {
    let dir = tempfile::tempdir().expect("temporary directory");
    let run = |envs: &[(&str, &str)], args: &[&str]| {
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_attesta"));
        for (key, _) in std::env::vars_os() {
            if key.to_string_lossy().starts_with("ATTESTA_") {
                cmd.env_remove(&key);
            }
        }
        cmd.env_remove("DATABASE_URL").envs(envs.iter().copied());
        cmd.arg("--data-dir").arg(dir.path()).args(args);
        cmd.output().expect("the attesta binary runs")
    };
    // An unknown ATTESTA_* variable (a typo) is an error, not a silent default.
    let out = run(&[("ATTESTA_SECRET_KY", "x")], &["serve"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("ATTESTA_SECRET_KY"));
    // Outside demo mode the server secret is required.
    let out = run(&[], &["serve", "--listen", "127.0.0.1:0"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("ATTESTA_SECRET_KEY"));
    // A malformed secret says what a good one looks like.
    let out = run(
        &[("ATTESTA_SECRET_KEY", "abc")],
        &["serve", "--listen", "127.0.0.1:0"],
    );
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("64"));
    // A number that is not a number.
    let out = run(&[("ATTESTA_OTP_TTL_SECONDS", "five")], &["serve", "--demo"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("ATTESTA_OTP_TTL_SECONDS"));
    // A session lifetime out of range says the range.
    let out = run(&[("ATTESTA_SESSION_MINUTES", "0")], &["serve", "--demo"]);
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("ATTESTA_SESSION_MINUTES") && err.contains("between 5 and 1440"),
        "{err}"
    );
    // The identity provider needs all three settings.
    let out = run(
        &[("ATTESTA_OIDC_ISSUER", "https://idp.example.it")],
        &["serve", "--demo"],
    );
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("ATTESTA_OIDC_CLIENT_ID"), "{err}");
    let out = run(
        &[
            ("ATTESTA_OIDC_ISSUER", "idp.example.it"),
            ("ATTESTA_OIDC_CLIENT_ID", "attesta"),
            ("ATTESTA_OIDC_CLIENT_SECRET", "s"),
        ],
        &["serve", "--demo"],
    );
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("provider's URL"));
    // An unknown key in the TOML file.
    let config = dir.path().join("attesta.toml");
    std::fs::write(&config, "listen = \"127.0.0.1:0\"\nlisten_port = 8080\n").unwrap();
    let out = run(
        &[],
        &["--config", config.to_str().unwrap(), "serve", "--demo"],
    );
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("listen_port"));
}
