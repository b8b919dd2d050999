//! attesta's test kit: what the integration tests of every crate share.
//! A dev-dependency only (`publish = false`), so none of it is compiled
//! into the release binary (`cargo tree -p attesta -e normal` shows no kit).
//!
//! - [`in_ci`] and [`unavailable`]: the one policy for a missing outside
//!   tool, file or database: skipped with a printed reason on a developer's
//!   machine, a failure under `CI=true` (or `CI=1`), where `.ci/run`
//!   provides everything and a silent skip would hide a broken check.
//! - [`require_tool`] and the readers built on it: ZBar on a PNG or on a
//!   PDF page rendered by poppler, `pdftotext`, `pdfinfo`, `pdffonts`.
//! - Fresh databases on both engines ([`fresh_database`], [`fresh_store`])
//!   and [`on_both_engines!`], which runs each test on SQLite and on
//!   PostgreSQL with whatever it asks for ([`Setup`]).
//! - [`people`]: the codici fiscali the tests use.

mod database;
pub mod people;
mod tools;

pub use database::{Setup, TestDatabase, TestEngine, fresh_database, fresh_store, run_on};
pub use tools::{
    Tool, in_ci, pdffonts, pdfinfo, pdftotext, read_qr_on_pdf_page, read_qr_png, require_path,
    require_tool, unavailable,
};

/// Runs each listed `async fn name(x: T)` as two tests, `sqlite::name` and
/// `postgres::name`, where `T` is any [`Setup`]: a [`TestEngine`] (the test
/// builds its own world), a migrated `Store`, or a crate's own test app.
/// The PostgreSQL run is skipped without `TEST_DATABASE_URL`, and fails
/// without it under CI. The calling crate needs `tokio` (`macros`,
/// `rt-multi-thread`).
#[macro_export]
macro_rules! on_both_engines {
    ($($name:ident),* $(,)?) => {
        mod sqlite {
            $(#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn $name() {
                $crate::run_on($crate::TestEngine::Sqlite, super::$name).await;
            })*
        }
        mod postgres {
            $(#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn $name() {
                $crate::run_on($crate::TestEngine::Postgres, super::$name).await;
            })*
        }
    };
}
