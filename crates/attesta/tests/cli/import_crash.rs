//! An import that does not end well (issue #16, SPEC §7 and §12): killed
//! with SIGKILL at random moments, or stopped by a full disk. A batch is one
//! transaction, so what is stored is always the valid rows of the first
//! whole batches of the file, and running the file again stores every valid
//! row exactly once, with each status the recomputation of the verbali.

use std::fs::File;
use std::os::unix::process::ExitStatusExt;
use std::process::Stdio;
use std::time::{Duration, Instant};

use attesta_app::import::Kind;
use attesta_app::seed::synthetic_fiscal_code;
use sqlx::{AnyConnection, Connection, Row};

use super::*;

/// Rows per transaction: small, so that an import commits many batches.
const BATCH: usize = 100;
/// People in the files: the people file has 3,195 rows (32 batches), the
/// verbali file 4,585 (46 batches); 3,000 people and 3,702 verbali are
/// valid.
const PEOPLE: u64 = 3_000;
/// SIGKILLs per file (two files).
const KILLS: usize = 12;
/// The kill moments come from this seed: the same moments every run.
const SEED: u64 = 0x5eed_0016_c0de_0bad;

mod sqlite {
    /// A full disk is the SQLite file's; PostgreSQL's disk is its server's.
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn a_full_disk_during_an_import_is_a_clear_error_and_nothing_half_written() {
        attesta_testkit::run_on(
            attesta_testkit::TestEngine::Sqlite,
            super::a_full_disk_during_an_import_is_a_clear_error_and_nothing_half_written,
        )
        .await;
    }
}

/// An import file and, for each of its rows, the key (codice fiscale or
/// `verbale_id`) that row is the first to store, if any.
struct ImportFile {
    path: PathBuf,
    kind: Kind,
    firsts: Vec<Option<String>>,
}

impl ImportFile {
    fn new(env: &Env, name: &str, kind: Kind, rows: Vec<(String, Option<String>)>) -> Self {
        let (lines, firsts): (Vec<String>, Vec<Option<String>>) = rows.into_iter().unzip();
        ImportFile {
            path: env.file(name, &(lines.join("\n") + "\n")),
            kind,
            firsts,
        }
    }

    fn path(&self) -> &str {
        self.path.to_str().expect("UTF-8 path")
    }

    fn batches(&self) -> usize {
        self.firsts.len().div_ceil(BATCH)
    }

    /// What is stored once the first `k` batches are committed.
    fn after_batches(&self, k: usize) -> BTreeSet<String> {
        let rows = (k * BATCH).min(self.firsts.len());
        self.firsts[..rows].iter().flatten().cloned().collect()
    }

    fn every_key(&self) -> BTreeSet<String> {
        self.after_batches(self.batches())
    }

    /// How many whole batches `stored` is; it must be some.
    fn whole_batches(&self, stored: &BTreeSet<String>) -> usize {
        let Some(k) = (0..=self.batches()).find(|&k| self.after_batches(k).len() == stored.len())
        else {
            panic!(
                "{} {} stored: no number of whole batches of {BATCH} rows",
                stored.len(),
                self.kind
            );
        };
        assert_eq!(
            &self.after_batches(k),
            stored,
            "the {} stored are not the first {k} batches",
            self.kind
        );
        k
    }
}

fn person_line(i: u64, given: &str) -> String {
    format!(
        r#"{{"fiscal_code": "{}", "given_name": "{given}", "family_name": "Crash", "birth_date": "1970-01-01"}}"#,
        synthetic_fiscal_code(i)
    )
}

/// Every person once, some again later (updated: the last row wins) and a
/// bad row now and then.
fn people_file(env: &Env) -> ImportFile {
    let mut rows = Vec::new();
    for i in 0..PEOPLE {
        let code = synthetic_fiscal_code(i).as_str().to_owned();
        rows.push((person_line(i, "Anna"), Some(code)));
        if i % 25 == 24 {
            rows.push((person_line(i - 7, "Bice"), None));
        }
        if i % 40 == 39 {
            let bad = r#"{"fiscal_code": "RSSMRA80A01H501X", "given_name": "Rotto", "family_name": "X", "birth_date": "1980-01-01"}"#;
            rows.push((bad.to_owned(), None));
        }
    }
    ImportFile::new(env, "people.jsonl", Kind::People, rows)
}

fn verbale_line(id: &str, who: &str, date: &str, definitive: bool, findings: &str) -> String {
    format!(
        r#"{{"verbale_id": "{id}", "fiscal_code": "{who}", "kind": "revision", "session_date": "{date}", "definitive": {definitive}, "source": "telematic"{findings}}}"#
    )
}

/// Code 03 and a percentage in its range, different from person to person.
fn pct(i: u64) -> String {
    format!(
        r#", "invalidity_code": "03", "invalidity_percentage": {}"#,
        74 + i % 26
    )
}

/// A verbale for every person (one in ten not definitive, confirmed five
/// people later), for some a second one later or on the same day; and
/// identical resubmissions, conflicts, unknown people, broken JSON and
/// invalid rows between them.
fn verbali_file(env: &Env) -> ImportFile {
    let cf = |i: u64| synthetic_fiscal_code(i).as_str().to_owned();
    let first = |i: u64, definitive: bool| {
        verbale_line(&format!("V-{i}"), &cf(i), "2023-01-10", definitive, &pct(i))
    };
    let stranger = synthetic_fiscal_code(PEOPLE + 1);
    let mut rows = Vec::new();
    for i in 0..PEOPLE {
        rows.push((first(i, i % 10 != 3), Some(format!("V-{i}"))));
        if i % 11 == 0 {
            // The same session day: the later ingested counts (99 %).
            let line = verbale_line(&format!("V3-{i}"), &cf(i), "2023-01-10", true, &pct(25));
            rows.push((line, Some(format!("V3-{i}"))));
        }
        if i % 7 == 0 {
            let line = verbale_line(
                &format!("V2-{i}"),
                &cf(i),
                "2024-05-05",
                true,
                r#", "handicap": "art3_c3""#,
            );
            rows.push((line, Some(format!("V2-{i}"))));
        }
        if i >= 5 && (i - 5) % 10 == 3 {
            rows.push((first(i - 5, true), None)); // confirmed
        }
        if i >= 3 && i % 17 == 0 && (i - 3) % 10 != 3 {
            rows.push((first(i - 3, true), None)); // unchanged
        }
        if i >= 2 && i % 19 == 0 && (i - 2) % 10 != 3 {
            let other = verbale_line(
                &format!("V-{}", i - 2),
                &cf(i - 2),
                "2023-01-10",
                true,
                &pct(i - 1),
            );
            rows.push((other, None)); // a conflict
        }
        if i % 29 == 0 {
            let line = verbale_line(
                &format!("VX-{i}"),
                stranger.as_str(),
                "2023-01-10",
                true,
                &pct(i),
            );
            rows.push((line, None)); // unknown person
        }
        if i % 31 == 0 {
            rows.push((r#"{"verbale_id": "V-JSON","#.to_owned(), None));
        }
        if i % 37 == 0 {
            let line = verbale_line(
                &format!("VB-{i}"),
                &cf(i),
                "2023-01-10",
                true,
                r#", "invalidity_code": "13""#,
            );
            rows.push((line, None)); // invalid
        }
    }
    ImportFile::new(env, "verbali.jsonl", Kind::Verbali, rows)
}

/// The keys stored for `kind`, once the database opens as the binary
/// opens it.
async fn stored_keys(env: &Env, kind: Kind) -> BTreeSet<String> {
    drop(env.store().await);
    let sql = match kind {
        Kind::People => "SELECT fiscal_code FROM people",
        _ => "SELECT verbale_id FROM verbali",
    };
    let mut conn = AnyConnection::connect(&env.database_url()).await.unwrap();
    let keys: Vec<String> = sqlx::query(sql)
        .fetch_all(&mut conn)
        .await
        .unwrap()
        .iter()
        .map(|r| r.try_get(0).unwrap())
        .collect();
    conn.close().await.unwrap();
    let unique: BTreeSet<String> = keys.iter().cloned().collect();
    assert_eq!(unique.len(), keys.len(), "a {kind} row stored twice");
    unique
}

/// xorshift64*: the kill moments, from [`SEED`].
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }

    /// In [0, 1).
    fn unit(&mut self) -> f64 {
        (self.next() >> 11) as f64 / (1u64 << 53) as f64
    }
}

/// What the kills of one file did.
#[derive(Debug, Default)]
struct Kills {
    /// Runs that ended by SIGKILL (the others had finished first).
    signalled: usize,
    /// Kills aimed inside a batch not committed before.
    in_new_batch: usize,
    /// Kills after which some but not all of the batches were stored.
    partial: usize,
    /// Kills of a run that had committed batches never committed before,
    /// and had not finished: it was killed writing new batches.
    advanced: usize,
    /// The whole batches found stored after each kill.
    batches: Vec<usize>,
}

/// When a run is killed.
#[derive(Debug, Clone, Copy)]
enum Moment {
    /// This long after the start.
    At(Duration),
    /// This long after the first `usize` batches are seen committed.
    InBatch(usize, Duration),
}

/// Starts `attesta import FILE` [`KILLS`] times and SIGKILLs it, on a run
/// that takes `full` when clean: the first run early (starting up, the
/// first batches), the next six at a random moment of a batch one to three
/// past those committed before (seen from the rows stored, so whatever the
/// machine's load), the last five at a random moment of the run, one in
/// each of its sixths after the first (batches written again, new ones,
/// the end). After each kill the database opens and holds whole batches
/// only, never fewer than before.
async fn kill_at_random_moments(env: &Env, file: &ImportFile, full: Duration) -> Kills {
    let mut rng = Rng(SEED ^ file.firsts.len() as u64);
    let per_batch = full / file.batches() as u32;
    let mut kills = Kills::default();
    let mut before = 0;
    for run in 0..KILLS {
        // Not the last two batches: the run must still be writing.
        let ahead = file.batches().saturating_sub(before + 3);
        let moment = if (1..=6).contains(&run) && ahead > 0 {
            let target = before + 1 + ((rng.unit() * 3.0) as usize).min(ahead - 1);
            Moment::InBatch(target, per_batch.mul_f64(rng.unit()))
        } else {
            let sixth = run.saturating_sub(6) as f64;
            Moment::At(full.mul_f64((sixth + rng.unit()) / 6.0))
        };
        let stderr = env.dir.path().join(format!("{}-{run}.stderr", file.kind));
        let mut child = env
            .command(&["import", file.path(), "--batch-size", &BATCH.to_string()])
            .stdout(Stdio::null())
            .stderr(File::create(&stderr).unwrap())
            .spawn()
            .expect("the attesta binary starts");
        // Not waits for a condition: the moment of the kill is the point.
        match moment {
            Moment::At(at) => tokio::time::sleep(at).await,
            Moment::InBatch(target, after) => {
                kills.in_new_batch += 1;
                let deadline = Instant::now() + full * 20;
                let mut conn = AnyConnection::connect(&env.database_url()).await.unwrap();
                let sql = match file.kind {
                    Kind::People => "SELECT COUNT(*) FROM people",
                    _ => "SELECT COUNT(*) FROM verbali",
                };
                let want = file.after_batches(target).len() as i64;
                loop {
                    let stored: i64 = sqlx::query(sql)
                        .fetch_one(&mut conn)
                        .await
                        .unwrap()
                        .try_get(0)
                        .unwrap();
                    if stored >= want {
                        break;
                    }
                    assert!(
                        child.try_wait().unwrap().is_none() && Instant::now() < deadline,
                        "run {run} of the {} import ended or stalled before batch {target}",
                        file.kind
                    );
                    tokio::time::sleep(Duration::from_millis(1)).await;
                }
                conn.close().await.unwrap();
                tokio::time::sleep(after).await;
            }
        }
        child.kill().expect("SIGKILL");
        let status = child.wait().unwrap();
        if status.signal() == Some(9) {
            kills.signalled += 1;
        } else {
            // Finished first, as a clean run finishes (some rows rejected).
            assert_eq!(
                status.code(),
                Some(2),
                "run {run} of the {} import ({moment:?}): {}",
                file.kind,
                std::fs::read_to_string(&stderr).unwrap()
            );
        }
        let k = file.whole_batches(&stored_keys(env, file.kind).await);
        assert!(
            k >= before,
            "{} committed batches lost: {k} < {before}",
            file.kind
        );
        if 0 < k && k < file.batches() {
            kills.partial += 1;
            if k > before && status.signal() == Some(9) {
                kills.advanced += 1;
            }
        }
        kills.batches.push(k);
        before = k;
    }
    kills
}

pub(super) async fn an_import_killed_at_random_moments_then_rerun_writes_every_row_once(env: Env) {
    let engine = if env.db.is_some() {
        TestEngine::Postgres
    } else {
        TestEngine::Sqlite
    };
    // The same files imported once, cleanly, elsewhere: what the killed
    // imports must come to.
    let Some((reference, ())) = Env::setup(engine).await else {
        return;
    };
    let people = people_file(&env);
    let verbali = verbali_file(&env);
    assert_eq!((people.batches(), verbali.batches()), (32, 46));
    assert_eq!(
        (people.every_key().len(), verbali.every_key().len()),
        (3_000, 3_702)
    );
    for file in [&people, &verbali] {
        let started = Instant::now();
        let clean = reference.import(&file.path, BATCH);
        let full = started.elapsed();
        assert_eq!(clean.code, 2, "{clean:?}");

        let started = Instant::now();
        let kills = kill_at_random_moments(&env, file, full).await;
        eprintln!(
            "{engine:?} {}: a clean run {full:?}; {KILLS} kills in {:?}: {} by the signal, \
             {} aimed inside a new batch, {} left some of the {} batches, {} while writing \
             new ones; whole batches after each: {:?}",
            file.kind,
            started.elapsed(),
            kills.signalled,
            kills.in_new_batch,
            kills.partial,
            file.batches(),
            kills.advanced,
            kills.batches,
        );
        // The kills landed mid-run, inside batches: the test is not of runs
        // that had ended or not begun.
        assert!(kills.signalled >= KILLS / 2, "{kills:?}");
        assert!(kills.in_new_batch >= KILLS / 3, "{kills:?}");
        assert!(kills.advanced >= KILLS / 4, "{kills:?}");

        // Run again to the end: as a clean run, every row once.
        let rerun = env.import(&file.path, BATCH);
        assert_eq!(rerun.code, clean.code, "{rerun:?}");
        assert_eq!(stored_keys(&env, file.kind).await, file.every_key());
    }
    assert_same_as(&env, &reference, &people).await;
}

/// Every person and verbale stored in `env` is the same as in
/// `reference`, and each status is the recomputation of the verbali.
async fn assert_same_as(env: &Env, reference: &Env, people: &ImportFile) {
    let (store, expected) = (env.store().await, reference.store().await);
    let everyone = people.every_key();
    assert_eq!(
        store.count_people().await.unwrap(),
        everyone.len() as i64,
        "every person once"
    );
    let on = attesta_domain::parse_date("2026-01-01").unwrap();
    let mut with_status = 0;
    for code in &everyone {
        let got = store.person_by_fiscal_code(&cf(code)).await.unwrap();
        let want = expected.person_by_fiscal_code(&cf(code)).await.unwrap();
        let (got, want) = (got.expect("stored"), want.expect("stored"));
        assert_eq!(got.person, want.person);
        let verbali = store.verbali_of(&got.person_id).await.unwrap();
        assert_eq!(
            verbali,
            expected.verbali_of(&want.person_id).await.unwrap(),
            "the verbali, in the order they were ingested"
        );
        let recomputed = attesta_domain::Status::compute(&verbali, on);
        assert_eq!(got.status.to_json(), recomputed.to_json());
        assert_eq!(got.status.to_json(), want.status.to_json());
        with_status += usize::from(!recomputed.is_empty());
    }
    assert!(with_status > everyone.len() - 10, "{with_status}");
    let stranger = synthetic_fiscal_code(PEOPLE + 1);
    assert!(
        store
            .person_by_fiscal_code(&stranger)
            .await
            .unwrap()
            .is_none()
    );
}

/// `cmd` run by bash with a file size limit of `kib` KiB and SIGXFSZ
/// ignored, so that a write past the limit fails with EFBIG as a write to
/// a full disk fails with ENOSPC (the process is not killed).
fn under_file_size_limit(cmd: &Command, kib: u64) -> Command {
    let mut limited = Command::new("bash");
    limited
        .args([
            "-c",
            &format!(r#"trap "" XFSZ; ulimit -f {kib}; exec "$@""#),
            "_",
        ])
        .arg(cmd.get_program())
        .args(cmd.get_args());
    for (key, value) in cmd.get_envs() {
        match value {
            Some(value) => limited.env(key, value),
            None => limited.env_remove(key),
        };
    }
    limited
}

async fn a_full_disk_during_an_import_is_a_clear_error_and_nothing_half_written(env: Env) {
    let Some((reference, ())) = Env::setup(TestEngine::Sqlite).await else {
        return;
    };
    let people = people_file(&env);
    let verbali = verbali_file(&env);
    for run in [
        env.import(&people.path, BATCH),
        reference.import(&people.path, BATCH),
    ] {
        assert_eq!(run.code, 2, "{run:?}");
    }
    let clean = reference.import(&verbali.path, BATCH);
    assert_eq!(clean.code, 2, "{clean:?}");

    // The database file and its write-ahead log may not grow past 1 MiB:
    // the log fills up a few batches into the verbali (the database file,
    // 0.9 MiB of people, is not written until the log is moved into it).
    let command = env.command(&["import", verbali.path(), "--batch-size", &BATCH.to_string()]);
    let out = under_file_size_limit(&command, 1024)
        .output()
        .expect("bash runs");
    let run = Run {
        code: out.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    };
    assert_eq!(run.code, 1, "{run:?}");
    let Some(error) = run.stderr.lines().find(|l| l.starts_with("error: ")) else {
        panic!("no error line: {run:?}");
    };
    for words in [
        "error: the disk is full (",
        "free space and run the import again",
        "nothing of the batch in progress (from line ",
        "rows committed before it are recognised when the file is run again",
    ] {
        assert!(error.contains(words), "{error:?} lacks {words:?}");
    }
    assert!(!run.stderr.contains("panicked"), "{}", run.stderr);

    // What was stored is the first whole batches, as the error says, and
    // the database is whole.
    let stored = stored_keys(&env, Kind::Verbali).await;
    let k = verbali.whole_batches(&stored);
    let committed = k * BATCH;
    eprintln!(
        "the disk filled after {k} of {} batches: {error}",
        verbali.batches()
    );
    assert!(0 < k && k < verbali.batches(), "{k} batches");
    assert!(
        error.contains(&format!("(from line {}) ", committed + 1))
            && error.contains(&format!("the {committed} rows committed")),
        "{error}"
    );
    assert!(
        run.stdout.contains(&format!("{committed} rows, "))
            && run.stdout.contains("before the failure"),
        "{}",
        run.stdout
    );
    let mut conn = AnyConnection::connect(&env.database_url()).await.unwrap();
    let check: String = sqlx::query("PRAGMA integrity_check")
        .fetch_one(&mut conn)
        .await
        .unwrap()
        .try_get(0)
        .unwrap();
    assert_eq!(check, "ok");
    conn.close().await.unwrap();

    // With space again: as a clean run, every row once.
    let rerun = env.import(&verbali.path, BATCH);
    assert_eq!(rerun.code, clean.code, "{rerun:?}");
    assert_eq!(stored_keys(&env, Kind::Verbali).await, verbali.every_key());
    assert_same_as(&env, &reference, &people).await;
}
