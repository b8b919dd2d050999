//! The application's `/metrics` series (rendered by attesta-web). Every
//! label is a fixed word (a level, an outcome's wire name, a kind, a
//! reason): never personal data, a token or a path.

use crate::mail::MailError;
use crate::sms::SmsError;
use attesta_domain::CheckOutcome;

/// One entry written to the verification log.
pub(crate) fn verification(level: i64, outcome: CheckOutcome) {
    let level = match level {
        1 => "1",
        2 => "2",
        _ => "other",
    };
    metrics::counter!("attesta_verifications_total", "level" => level, "outcome" => outcome.as_str())
        .increment(1);
}

/// A level-2 code handed to the SMS gateway.
pub(crate) fn otp_sent() {
    metrics::counter!("attesta_otp_sent_total").increment(1);
}

/// A level-2 code that failed: `not_sent` (the gateway failed) or
/// `wrong_code` (the operator typed a wrong one).
pub(crate) fn otp_failed(reason: &'static str) {
    metrics::counter!("attesta_otp_failed_total", "reason" => reason).increment(1);
}

pub(crate) fn sms_failure(e: &SmsError) {
    let reason = match e {
        SmsError::NotConfigured => "not_configured",
        SmsError::Status(_) => "status",
        SmsError::Timeout => "timeout",
        SmsError::Unreachable(_) => "unreachable",
    };
    metrics::counter!("attesta_sms_failures_total", "reason" => reason).increment(1);
}

pub(crate) fn smtp_failure(e: &MailError) {
    let reason = match e {
        MailError::NotConfigured => "not_configured",
        MailError::Build(_) => "build",
        MailError::Smtp(_) => "smtp",
    };
    metrics::counter!("attesta_smtp_failures_total", "reason" => reason).increment(1);
}

/// Rows of one committed import batch, by outcome.
pub(crate) fn import_rows(kind: &'static str, outcome: &'static str, rows: u64) {
    if rows > 0 {
        metrics::counter!("attesta_import_rows_total", "kind" => kind, "outcome" => outcome)
            .increment(rows);
    }
}

/// One scheduled-job run: `ran`, `skipped` (another node holds the lock)
/// or `failed`; `at_ms` is when a run finished.
pub(crate) fn job_run(outcome: &'static str, at_ms: i64) {
    metrics::counter!("attesta_job_runs_total", "outcome" => outcome).increment(1);
    if outcome == "ran" {
        metrics::gauge!("attesta_job_last_run_timestamp_seconds").set(at_ms as f64 / 1000.0);
    }
}
