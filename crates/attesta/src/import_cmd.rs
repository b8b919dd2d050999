//! `attesta import FILE` (SPEC §7): the rows are validated and written by
//! [`attesta_app::import`]; this prints progress, the rejected rows and a
//! summary, and picks the exit code (0 all accepted, 2 some rejected, 1
//! fatal).

use std::io::IsTerminal;
use std::path::Path;
use std::process::ExitCode;

use anyhow::Context;
use attesta_app::App;
use attesta_app::import::{ImportReport, import_file_notifying};
use indicatif::{ProgressBar, ProgressStyle};

pub async fn run(
    app: &App,
    file: &Path,
    batch_size: usize,
    notify: bool,
) -> anyhow::Result<ExitCode> {
    let bar = progress_bar("rows");
    let result = import_file_notifying(app, file, batch_size, notify, |done, total| {
        bar.set_length(total);
        bar.set_position(done);
    })
    .await;
    bar.finish_and_clear();
    // What the import committed, out of the WAL into the database file.
    // Committed rows are kept either way (the WAL is part of the database):
    // a failure here must not hide why the import stopped (a full disk
    // fails both).
    let checkpoint = app.store().checkpoint().await;
    match result {
        Ok(report) => {
            print_rejected(&report);
            println!("{}", summary(file, &report));
            checkpoint.context(
                "the import is committed, but moving it from the write-ahead log into the \
                 database file failed",
            )?;
            Ok(if report.rejected.is_empty() {
                ExitCode::SUCCESS
            } else {
                ExitCode::from(2)
            })
        }
        Err(e) => {
            if let Err(c) = checkpoint {
                tracing::warn!(error = %c, "the write-ahead log stays beside the database file");
            }
            if let Some(report) = e.committed() {
                print_rejected(report);
                println!("{} before the failure", summary(file, report));
            }
            Err(anyhow::Error::new(e))
        }
    }
}

fn print_rejected(report: &ImportReport) {
    for rejected in &report.rejected {
        eprintln!("{rejected}");
    }
}

fn summary(file: &Path, r: &ImportReport) -> String {
    let kind = r
        .kind
        .map_or_else(|| "nothing".to_owned(), |k| k.to_string());
    format!(
        "imported {kind} from {}: {} row{}, {} created, {} updated, {} unchanged, {} rejected",
        file.display(),
        r.rows,
        if r.rows == 1 { "" } else { "s" },
        r.created,
        r.updated,
        r.unchanged,
        r.rejected.len()
    )
}

/// A progress bar on stderr, hidden when stderr is not a terminal (CI,
/// pipes, log files).
pub fn progress_bar(unit: &str) -> ProgressBar {
    if !std::io::stderr().is_terminal() {
        return ProgressBar::hidden();
    }
    let bar = ProgressBar::new(0);
    let template = format!(
        "{{spinner}} {{msg}} [{{bar:40}}] {{pos}}/{{len}} {unit} ({{per_sec}}, {{eta}} left)"
    );
    if let Ok(style) = ProgressStyle::with_template(&template) {
        bar.set_style(style.progress_chars("=> "));
    }
    bar
}
