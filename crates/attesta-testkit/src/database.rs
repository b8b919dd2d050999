//! Fresh databases for tests, on both engines.
//!
//! SQLite: a new file in a temporary directory. PostgreSQL: a new schema in
//! the database named by `TEST_DATABASE_URL`, so that tests run in parallel
//! without seeing each other. Without `TEST_DATABASE_URL` a PostgreSQL test
//! is skipped with a printed reason, except under CI, where it fails: CI
//! provides PostgreSQL.

use std::future::Future;

use attesta_store::{Result, Store, ids};

use crate::tools::unavailable;

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
            let Some(base) = postgres_url() else {
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

/// `TEST_DATABASE_URL`, or `None` after printing why (a failure under CI).
fn postgres_url() -> Option<String> {
    let url = std::env::var("TEST_DATABASE_URL").ok();
    if url.is_none() {
        unavailable(
            "TEST_DATABASE_URL is not set, so the PostgreSQL run is skipped \
             (the PostgreSQL suite must run in CI)",
        );
    }
    url
}

/// A connected, migrated store on a fresh database (see [`fresh_database`]).
pub async fn fresh_store(engine: TestEngine) -> Result<Option<(Store, TestDatabase)>> {
    let Some(db) = fresh_database(engine).await? else {
        return Ok(None);
    };
    let store = Store::connect(&db.url).await?;
    Ok(Some((store, db)))
}

/// What a test run by [`on_both_engines!`](crate::on_both_engines) is
/// given, built for one engine; `None` when the engine is not available
/// here (the reason is printed).
pub trait Setup: Sized {
    /// What must outlive the test (the database's temporary directory).
    type Guard;

    fn setup(engine: TestEngine) -> impl Future<Output = Option<(Self, Self::Guard)>>;
}

/// The engine itself, for a test that builds its own world.
impl Setup for TestEngine {
    type Guard = ();

    async fn setup(engine: TestEngine) -> Option<(Self, ())> {
        // Skipped here, rather than in each test, when the engine is missing.
        if engine == TestEngine::Postgres {
            postgres_url()?;
        }
        Some((engine, ()))
    }
}

/// A migrated store on a fresh database.
impl Setup for Store {
    type Guard = TestDatabase;

    async fn setup(engine: TestEngine) -> Option<(Self, TestDatabase)> {
        fresh_store(engine).await.expect("a fresh store")
    }
}

/// Builds `T` for `engine` and runs `test` with it (nothing, after the
/// printed reason, when the engine is not available here).
pub async fn run_on<T, F, Fut>(engine: TestEngine, test: F)
where
    T: Setup,
    F: FnOnce(T) -> Fut,
    Fut: Future<Output = ()>,
{
    let Some((value, guard)) = T::setup(engine).await else {
        return;
    };
    test(value).await;
    drop(guard);
}
