//! Operations commands (SPEC §12, issue 17): `attesta config check` shows
//! the effective configuration with every secret masked and names a
//! mistake; `attesta backup` taken while an import is writing restores to
//! a whole database; `attesta restore` refuses a non-empty data directory.

use std::io::Write;
use std::process::Command;
use std::time::{Duration, Instant};

use attesta_app::seed::synthetic_fiscal_code;
use attesta_testkit::on_both_engines;

use crate::{Env, Run};

on_both_engines!(a_backup_taken_during_an_import_restores_whole);

/// A valid 32-byte secret in hex (the value is looked for in the output).
const SECRET_HEX: &str = "5ec4e7a1b2c3d4e5f60718293a4b5c6d7e8f90a1b2c3d4e5f60718293a4b5c6d";

/// Every secret, by variable, with a value to look for; and the settings
/// that put each to use.
const SECRETS: &[(&str, &str)] = &[
    (
        "DATABASE_URL",
        "postgres://attesta:db-pass-5c1e@db.example.it/attesta",
    ),
    ("ATTESTA_ADMIN_API_KEY", "admin-key-8f2d"),
    ("ATTESTA_SECRET_KEY", SECRET_HEX),
    ("ATTESTA_SMS_API_KEY", "sms-key-41b9"),
    ("ATTESTA_SMTP_PASSWORD", "smtp-pass-9d03"),
    ("ATTESTA_OIDC_CLIENT_SECRET", "oidc-secret-e7c4"),
];
const USES: &[(&str, &str)] = &[
    ("ATTESTA_SMTP_HOST", "smtp.example.it"),
    ("ATTESTA_SMTP_USERNAME", "attesta-mailer"),
    ("ATTESTA_SMS_URL", "https://sms.example.it/send"),
    ("ATTESTA_OIDC_ISSUER", "https://idp.example.it"),
    ("ATTESTA_OIDC_CLIENT_ID", "attesta-client"),
];

/// `attesta ARGS…` with exactly the variables given (none of the caller's).
fn attesta_with(vars: &[(&str, &str)], args: &[&str]) -> Run {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_attesta"));
    for (key, _) in std::env::vars_os() {
        if key.to_string_lossy().starts_with("ATTESTA_") {
            cmd.env_remove(&key);
        }
    }
    cmd.env_remove("DATABASE_URL").env("ATTESTA_LOG", "warn");
    for (key, value) in vars {
        cmd.env(key, value);
    }
    let out = cmd.args(args).output().expect("the attesta binary runs");
    Run {
        code: out.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

#[test]
fn config_check_masks_every_secret() {
    let vars: Vec<(&str, &str)> = SECRETS.iter().chain(USES).copied().collect();
    let run = attesta_with(&vars, &["config", "check"]);
    assert_eq!(run.code, 0, "{run:?}");
    let all = format!("{}{}", run.stdout, run.stderr);
    for (name, value) in SECRETS {
        assert!(!all.contains(value), "{name}'s value shows:\n{all}");
    }
    for key in [
        "admin_api_key",
        "secret_key",
        "sms_api_key",
        "smtp_password",
        "oidc_client_secret",
    ] {
        assert!(
            run.stdout.contains(&format!("{key} = \"***\"")),
            "{key} is not shown as set:\n{}",
            run.stdout
        );
    }
    // The database URL keeps its host and user, not its password.
    assert!(
        run.stdout
            .contains("database_url = \"postgres://attesta:***@db.example.it/attesta\""),
        "{}",
        run.stdout
    );
    // The rest is there to read, defaults included.
    for (_, value) in USES {
        assert!(run.stdout.contains(value), "{value}:\n{}", run.stdout);
    }
    assert!(
        run.stdout.contains("max_fiscal_code_failures = 5"),
        "{}",
        run.stdout
    );
    // What it prints is TOML that attesta itself reads back.
    let dir = tempfile::tempdir().unwrap();
    let echoed = dir.path().join("effective.toml");
    std::fs::write(&echoed, &run.stdout).unwrap();
    let again = attesta_with(
        &[],
        &[
            "--config",
            echoed.to_str().unwrap(),
            "config",
            "check",
            "--demo",
        ],
    );
    // The masked secrets come back as "***", which is not a valid secret key.
    assert_eq!(again.code, 2, "{again:?}");
    assert!(again.stderr.contains("ATTESTA_SECRET_KEY"), "{again:?}");
}

#[test]
fn config_check_names_each_mistake_and_exits_2() {
    let dir = tempfile::tempdir().unwrap();
    // A typo in a variable.
    let run = attesta_with(
        &[("ATTESTA_LISTN", "0.0.0.0:80")],
        &["config", "check", "--demo"],
    );
    assert_eq!(run.code, 2, "{run:?}");
    assert!(run.stderr.contains("ATTESTA_LISTN"), "{run:?}");
    // A typo in a file key.
    let file = dir.path().join("attesta.toml");
    std::fs::File::create(&file)
        .unwrap()
        .write_all(b"listne = \"0.0.0.0:80\"\n")
        .unwrap();
    let run = attesta_with(
        &[],
        &["--config", file.to_str().unwrap(), "config", "check"],
    );
    assert_eq!(run.code, 2, "{run:?}");
    assert!(run.stderr.contains("listne"), "{run:?}");
    // A secret key that is not 64 hex characters, and none at all outside demo mode.
    let run = attesta_with(&[("ATTESTA_SECRET_KEY", "abc")], &["config", "check"]);
    assert_eq!(run.code, 2, "{run:?}");
    assert!(run.stderr.contains("ATTESTA_SECRET_KEY"), "{run:?}");
    let run = attesta_with(&[], &["config", "check"]);
    assert_eq!(run.code, 2, "{run:?}");
    assert!(
        run.stderr.contains("ATTESTA_SECRET_KEY is not set"),
        "{run:?}"
    );
    assert_eq!(attesta_with(&[], &["config", "check", "--demo"]).code, 0);
    // Half an identity provider.
    let run = attesta_with(
        &[
            ("ATTESTA_SECRET_KEY", SECRET_HEX),
            ("ATTESTA_OIDC_ISSUER", "https://idp.example.it"),
        ],
        &["config", "check"],
    );
    assert_eq!(run.code, 2, "{run:?}");
    assert!(run.stderr.contains("ATTESTA_OIDC_CLIENT_ID"), "{run:?}");
    // And the same typo stops a start, naming it.
    let run = attesta_with(
        &[("ATTESTA_LISTN", "0.0.0.0:80")],
        &[
            "--data-dir",
            dir.path().join("data").to_str().unwrap(),
            "serve",
            "--demo",
        ],
    );
    assert_ne!(run.code, 0, "{run:?}");
    assert!(run.stderr.contains("ATTESTA_LISTN"), "{run:?}");
}

/// The birth date `attesta seed`'s synthetic person `index` has (its
/// codice fiscale encodes it).
fn synthetic_birth_date(index: u64) -> String {
    let year = 1940 + index % 60;
    let month = (index / 60) % 12 + 1;
    let day = 1 + (index / 720) % 28;
    format!("{year:04}-{month:02}-{day:02}")
}

async fn a_backup_taken_during_an_import_restores_whole(env: Env) {
    let backup = env.dir.path().join("attesta.backup");
    if env.db.is_some() {
        // PostgreSQL: its own tools, said plainly.
        for (command, tool) in [("backup", "pg_dump"), ("restore", "pg_restore")] {
            let run = env.attesta(&[command, backup.to_str().unwrap()]);
            assert_eq!(run.code, 2, "{run:?}");
            assert!(run.stderr.contains(tool), "{run:?}");
            assert!(!run.stderr.contains("postgres://"), "no URL in {run:?}");
        }
        assert!(!backup.exists());
        return;
    }
    const PEOPLE: u64 = 60_000;
    let mut text = String::with_capacity(PEOPLE as usize * 100);
    for i in 0..PEOPLE {
        text.push_str(&format!(
            "{{\"fiscal_code\": \"{}\", \"given_name\": \"Anna\", \"family_name\": \"Rossi\", \"birth_date\": \"{}\"}}\n",
            synthetic_fiscal_code(i).as_str(),
            synthetic_birth_date(i)
        ));
    }
    let file = env.file("people.jsonl", &text);
    // The import runs; the backup is taken once some of it is committed.
    let mut import = env
        .command(&["import", file.to_str().unwrap(), "--batch-size", "500"])
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("import starts");
    let started = Instant::now();
    let committed_before = loop {
        let n = match attesta_store::check_sqlite_file(&env.data_dir().join("attesta.sqlite")).await
        {
            Ok(Ok(summary)) => summary.people,
            _ => 0,
        };
        if n > 0 || import.try_wait().unwrap().is_some() {
            break n;
        }
        assert!(
            started.elapsed() < Duration::from_secs(120),
            "the import wrote nothing"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    };
    let run = env.attesta(&["backup", backup.to_str().unwrap()]);
    assert_eq!(run.code, 0, "{run:?}");
    assert!(run.stdout.contains("integrity ok"), "{run:?}");
    let import = import.wait_with_output().unwrap();
    assert!(import.status.success(), "{import:?}");

    // Restored into a new data directory: whole, and every row committed
    // before the backup began is in it.
    let restored = env.dir.path().join("restored");
    let run = env.attesta_in(&restored, &["restore", backup.to_str().unwrap()]);
    assert_eq!(run.code, 0, "{run:?}");
    let summary = attesta_store::check_sqlite_file(&restored.join("attesta.sqlite"))
        .await
        .unwrap()
        .expect("the restored database checks out");
    assert!(
        (committed_before..=PEOPLE as i64).contains(&summary.people),
        "{} people restored, {committed_before} committed before the backup",
        summary.people
    );
    println!(
        "backup during import: {committed_before} people committed before it, {} in it, {PEOPLE} in the file",
        summary.people
    );

    // A second restore into the now non-empty directory is refused and
    // changes nothing.
    let before = std::fs::metadata(restored.join("attesta.sqlite")).unwrap();
    let run = env.attesta_in(&restored, &["restore", backup.to_str().unwrap()]);
    assert_eq!(run.code, 2, "{run:?}");
    assert!(run.stderr.contains("not empty"), "{run:?}");
    let after = std::fs::metadata(restored.join("attesta.sqlite")).unwrap();
    assert_eq!(before.modified().unwrap(), after.modified().unwrap());
    // A file that is not a backup is refused before anything is written.
    let junk = env.file("junk.backup", "not a database");
    let empty = env.dir.path().join("empty");
    let run = env.attesta_in(&empty, &["restore", junk.to_str().unwrap()]);
    assert_eq!(run.code, 2, "{run:?}");
    assert!(run.stderr.contains("cannot be restored"), "{run:?}");
    assert!(!empty.join("attesta.sqlite").exists());
    // A backup never overwrites a file.
    let run = env.attesta(&["backup", backup.to_str().unwrap()]);
    assert_eq!(run.code, 2, "{run:?}");
}
