//! The verbale guide's alerts (SPEC §11): the proactive consent, and the
//! delivery of the durable outbox the store fills in the transaction that
//! makes a verbale definitive ([`attesta_store::ClaimedAlert`] tells the
//! exactly-once guarantees and the remaining at-least-once window).

use std::time::Duration;

use attesta_domain::Activity;
use serde_json::Value;

use crate::backoffice::object_with;
use crate::notify::{Letter, VerbaleIssuedEmail, VerbaleIssuedSms};
use crate::{Actor, App, AppError, AppResult, Millis};

/// How long a node holds a claimed alert: longer than one SMTP send (15
/// seconds) or one SMS send with its retries.
pub const LEASE: Duration = Duration::from_secs(300);
/// Attempts before an alert is given up.
pub const MAX_ATTEMPTS: i64 = 8;
/// Alerts claimed per round.
const PER_ROUND: i64 = 100;

/// The wait before attempt `attempts + 1`: one minute, doubling, at most
/// six hours.
pub fn backoff(attempts: i64) -> Duration {
    let exp = u32::try_from(attempts.clamp(1, 20) - 1).unwrap_or(0);
    Duration::from_secs(60u64.saturating_mul(1 << exp)).min(Duration::from_secs(6 * 3600))
}

/// What one delivery round did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct DeliveryReport {
    pub delivered: u64,
    pub failed: u64,
    pub given_up: u64,
}

/// The body of `POST /api/v1/me/consents` `{"proactive": bool}`.
pub fn consents_from_json(body: &Value) -> AppResult<bool> {
    let map = object_with(body, &["proactive"])?;
    match map.get("proactive") {
        Some(Value::Bool(b)) => Ok(*b),
        _ => Err(AppError::invalid_request(
            "`proactive` is required and must be true or false.",
        )),
    }
}

impl App {
    /// `POST /api/v1/me/consents`: the proactive consent of the area's
    /// holder (a delegate decides it for them, as for everything else in
    /// the area they act for).
    /// A change is written in the activity list (who gave or withdrew
    /// it); sending the same answer again changes and logs nothing.
    pub async fn set_consents(&self, actor: &Actor, proactive: bool) -> AppResult<()> {
        let changed = self
            .store
            .set_proactive_consent(&actor.person_id, proactive, self.now_millis())
            .await?;
        if changed {
            let action = if proactive {
                Activity::ProactiveConsentGiven
            } else {
                Activity::ProactiveConsentWithdrawn
            };
            self.record(actor, action).await?;
        }
        Ok(())
    }

    /// Whether the holder's proactive consent is on.
    pub async fn proactive_consent(&self, actor: &Actor) -> AppResult<bool> {
        Ok(self.store.proactive_consent(&actor.person_id).await?)
    }

    /// One delivery round: claims the due alerts, sends each through the
    /// mailer or the SMS gateway, marks it delivered after the send, or
    /// schedules the next attempt (given up after [`MAX_ATTEMPTS`], with a
    /// log line naming only the alert id and channel).
    pub async fn deliver_alerts(&self) -> AppResult<DeliveryReport> {
        let now = self.now_millis();
        let lease = LEASE.as_millis() as Millis;
        let mut report = DeliveryReport::default();
        let url = format!("{}/me", self.config.public_url.trim_end_matches('/'));
        for alert in self.store.claim_alerts(now, lease, PER_ROUND).await? {
            let name = format!("{} {}", alert.given_name, alert.family_name);
            let sent: Result<(), String> = match (alert.channel.as_str(), &alert) {
                ("email", a) => match &a.email {
                    Some(to) => match (VerbaleIssuedEmail {
                        name: &name,
                        url: &url,
                    })
                    .email(to.clone(), None)
                    {
                        Ok(email) => self.mailer.send(&email).await.map_err(|e| e.to_string()),
                        Err(e) => Err(e.to_string()),
                    },
                    None => Err("no e-mail on record".into()),
                },
                ("sms", a) => match &a.mobile {
                    Some(to) => match (VerbaleIssuedSms { url: &url }).text() {
                        Ok(text) => self.sms.send(to, &text).await.map_err(|e| e.to_string()),
                        Err(e) => Err(e.to_string()),
                    },
                    None => Err("no mobile on record".into()),
                },
                _ => Err("unknown channel".into()),
            };
            let done = self.now_millis();
            match sent {
                Ok(()) => {
                    self.store.alert_delivered(&alert.alert_id, done).await?;
                    report.delivered += 1;
                }
                Err(error) => {
                    let give_up = alert.attempts >= MAX_ATTEMPTS;
                    let next = done + backoff(alert.attempts).as_millis() as Millis;
                    self.store
                        .alert_failed(&alert.alert_id, next, give_up, done)
                        .await?;
                    // The error texts of the mailer and the gateway name
                    // neither the address nor the body.
                    if give_up {
                        report.given_up += 1;
                        tracing::error!(alert_id = %alert.alert_id, channel = %alert.channel,
                            attempts = alert.attempts, %error, "verbale alert given up");
                    } else {
                        report.failed += 1;
                        tracing::warn!(alert_id = %alert.alert_id, channel = %alert.channel,
                            attempts = alert.attempts, %error, "verbale alert failed; tried again later");
                    }
                }
            }
        }
        Ok(report)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_doubles_from_a_minute_up_to_six_hours() {
        assert_eq!(backoff(1), Duration::from_secs(60));
        assert_eq!(backoff(2), Duration::from_secs(120));
        assert_eq!(backoff(3), Duration::from_secs(240));
        assert_eq!(backoff(30), Duration::from_secs(6 * 3600));
    }

    #[test]
    fn the_consent_body_is_one_boolean() {
        assert!(consents_from_json(&serde_json::json!({"proactive": true})).unwrap());
        assert!(!consents_from_json(&serde_json::json!({"proactive": false})).unwrap());
        for bad in [
            serde_json::json!({}),
            serde_json::json!({"proactive": "yes"}),
            serde_json::json!({"proactive": true, "other": 1}),
            serde_json::json!([true]),
        ] {
            assert!(consents_from_json(&bad).is_err(), "{bad}");
        }
    }
}
