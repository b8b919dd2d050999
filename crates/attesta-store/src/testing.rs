//! Fresh databases for tests, on both engines.
//!
//! SQLite: a new file in a temporary directory. PostgreSQL: a new schema in
//! the database named by `TEST_DATABASE_URL`, so that tests run in parallel
//! without seeing each other. Without `TEST_DATABASE_URL` a PostgreSQL test
//! is skipped with a printed reason, except under `CI=true`, where it fails:
//! CI provides PostgreSQL.

use crate::{Result, Store, ids};

/// The engine a test runs on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TestEngine {
    Sqlite,
    Postgres,
}

/// A database URL for one test. Keeps its temporary directory alive.
#[derive(Debug)]
pub struct TestDatabase {
    pub url: String,
    _dir: Option<tempfile::TempDir>,
}

/// True when running under CI, where every outside tool must be present.
pub fn in_ci() -> bool {
    std::env::var("CI").is_ok_and(|v| v == "true" || v == "1")
}

/// A URL for a fresh, empty database, or `None` (after printing why) when
/// the engine is not available on this developer machine.
pub async fn fresh_database(engine: TestEngine) -> Result<Option<TestDatabase>> {
    match engine {
        TestEngine::Sqlite => {
            let dir = tempfile::tempdir().expect("temporary directory");
            let url = format!(
                "sqlite://{}?mode=rwc",
                dir.path().join("test.sqlite").display()
            );
            Ok(Some(TestDatabase {
                url,
                _dir: Some(dir),
            }))
        }
        TestEngine::Postgres => {
            let Ok(base) = std::env::var("TEST_DATABASE_URL") else {
                if in_ci() {
                    panic!(
                        "CI=true but TEST_DATABASE_URL is not set: the PostgreSQL suite must run in CI"
                    );
                }
                eprintln!(
                    "skipped: TEST_DATABASE_URL is not set, so the PostgreSQL run is skipped"
                );
                return Ok(None);
            };
            sqlx::any::install_default_drivers();
            let schema = format!("t_{}", ids::random_id());
            let mut conn = <sqlx::AnyConnection as sqlx::Connection>::connect(&base).await?;
            sqlx::query(sqlx::AssertSqlSafe(format!("CREATE SCHEMA {schema}")))
                .execute(&mut conn)
                .await?;
            let sep = if base.contains('?') { '&' } else { '?' };
            let url = format!("{base}{sep}options=-c%20search_path%3D{schema}");
            Ok(Some(TestDatabase { url, _dir: None }))
        }
    }
}

/// A connected, migrated store on a fresh database (see [`fresh_database`]).
pub async fn fresh_store(engine: TestEngine) -> Result<Option<(Store, TestDatabase)>> {
    let Some(db) = fresh_database(engine).await? else {
        return Ok(None);
    };
    let store = Store::connect(&db.url).await?;
    Ok(Some((store, db)))
}
