//! `attesta seed --people N [--tokens FILE]` (SPEC §7): synthetic people for
//! load tests, made by [`attesta_app::seed`]; with `--tokens`, their
//! attestations' tokens are written as `token,fiscal_code` lines.

use std::io::Write;
use std::path::Path;
use std::process::ExitCode;
use std::time::Instant;

use anyhow::Context;
use attesta_app::App;
use attesta_app::seed::{SeedStage, seed};

use crate::import_cmd::progress_bar;

pub async fn run(app: &App, people: u64, tokens: Option<&Path>) -> anyhow::Result<ExitCode> {
    // Fail on an unwritable tokens file before any work is done.
    let mut out = match tokens {
        Some(path) => Some(std::io::BufWriter::new(
            std::fs::File::create(path)
                .with_context(|| format!("cannot write the tokens file {}", path.display()))?,
        )),
        None => None,
    };
    let started = Instant::now();
    let bar = progress_bar("");
    let mut stage = None;
    let report = seed(app, people, out.is_some(), |s: SeedStage, done, total| {
        if stage != Some(s) {
            stage = Some(s);
            bar.set_message(s.to_string());
        }
        bar.set_length(total);
        bar.set_position(done);
    })
    .await;
    bar.finish_and_clear();
    let report = report.map_err(|e| anyhow::anyhow!("seeding failed: {e}"))?;
    app.store().checkpoint().await?;
    if let (Some(out), Some(path)) = (out.as_mut(), tokens) {
        let write = |out: &mut std::io::BufWriter<std::fs::File>| -> std::io::Result<()> {
            for t in &report.tokens {
                writeln!(out, "{},{}", t.token, t.fiscal_code)?;
            }
            out.flush()
        };
        write(out).with_context(|| format!("cannot write the tokens file {}", path.display()))?;
    }
    println!(
        "seeded {} people ({} created, {} already there, {} new verbali) in {:.1}s",
        report.people,
        report.created,
        report.updated,
        report.verbali_created,
        started.elapsed().as_secs_f64()
    );
    if let Some(path) = tokens {
        println!(
            "wrote {} attestation tokens (token,fiscal_code) to {}",
            report.tokens.len(),
            path.display()
        );
    }
    Ok(ExitCode::SUCCESS)
}
