//! `attesta jobs run [--on YYYY-MM-DD]` and the hourly job of `attesta
//! serve`: the journey's scheduled rules (silent assent, certificate
//! expiry, SPEC §10.2), on one node at a time.

use std::process::ExitCode;
use std::time::Duration;

use attesta_app::App;
use clap::Subcommand;
use time::Date;

#[derive(Debug, Subcommand)]
pub enum JobsAction {
    /// Run the scheduled rules once and print what was done.
    Run {
        /// As of this day, YYYY-MM-DD (default: today in Italy).
        #[arg(long, value_parser = parse_day)]
        on: Option<Date>,
    },
}

fn parse_day(s: &str) -> Result<Date, String> {
    attesta_domain::parse_date(s).ok_or_else(|| format!("{s:?} is not a date: write YYYY-MM-DD"))
}

pub async fn run(app: &App, action: JobsAction) -> anyhow::Result<ExitCode> {
    match action {
        JobsAction::Run { on } => {
            let on = on.unwrap_or_else(|| app.today());
            let report = app
                .run_jobs(on)
                .await
                .map_err(|e| anyhow::anyhow!("the scheduled rules failed: {e}"))?;
            println!("{}", report.summary(on));
            Ok(ExitCode::SUCCESS)
        }
    }
}

/// How often `serve` runs the scheduled rules.
const EVERY: Duration = Duration::from_secs(60 * 60);

/// Runs the scheduled rules now and then every hour, as of today in Italy.
/// Every node runs this; the lock in the database lets one at a time work.
pub fn spawn_hourly(app: App) {
    tokio::spawn(async move {
        let mut tick = tokio::time::interval(EVERY);
        tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            tick.tick().await;
            let on = app.today();
            match app.run_jobs(on).await {
                Ok(report) => tracing::info!(summary = %report.summary(on), "scheduled rules"),
                Err(e) => tracing::error!(error = %e, "scheduled rules failed"),
            }
        }
    });
}

/// The verbale alerts' delivery in `attesta serve` (SPEC §11): a round
/// every `every`, the first one `every` after the start. A round claims
/// what is due (what an earlier process committed and never sent
/// included), so a crash between a verbale's commit and its delivery loses
/// nothing; see `attesta_app::alerts`.
pub fn spawn_alerts(app: App, every: std::time::Duration) {
    tokio::spawn(async move {
        let start = tokio::time::Instant::now() + every;
        let mut tick = tokio::time::interval_at(start, every);
        tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            tick.tick().await;
            match app.deliver_alerts().await {
                Ok(r) if r.delivered + r.failed + r.given_up > 0 => tracing::info!(
                    delivered = r.delivered,
                    failed = r.failed,
                    given_up = r.given_up,
                    "verbale alerts"
                ),
                Ok(_) => {}
                Err(e) => tracing::error!(error = %e, "verbale alerts: the round failed"),
            }
        }
    });
}
