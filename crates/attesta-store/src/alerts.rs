//! The verbale guide's alerts (SPEC §11): the proactive consent and the
//! durable outbox written in the transaction that makes a verbale
//! definitive, claimed with a lease and delivered by `attesta serve`.
//!
//! Exactly once, as far as it can be: a crash between the commit and the
//! delivery loses nothing (the row waits; the next round of any node
//! sends it), and two nodes never send the same alert at once (a round
//! claims a row with a conditional update that only one node wins, for
//! the lease). What remains at least once: a node that sends and then
//! dies (or loses the database) before [`Store::alert_delivered`] leaves
//! the row claimed; when its lease ends another round sends it again.
//! That window is the time between the gateway's acceptance and one
//! UPDATE.

use sqlx::{AnyConnection, Row};

use crate::{Millis, Result, Store, ids::random_id};

/// One alert claimed for delivery, with what the message needs, read at
/// claim time (the person's current address and name).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClaimedAlert {
    pub alert_id: String,
    pub channel: String,
    /// The attempt this is (1 for the first).
    pub attempts: i64,
    pub given_name: String,
    pub family_name: String,
    pub email: Option<String>,
    pub mobile: Option<String>,
}

/// One stored alert, for reports and tests.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AlertRecord {
    pub alert_id: String,
    pub person_id: String,
    pub verbale_id: String,
    pub channel: String,
    pub attempts: i64,
    pub next_attempt_at: Millis,
    pub delivered_at: Option<Millis>,
    pub given_up_at: Option<Millis>,
}

/// Queues the alerts of `verbale_id` for `person_id` inside the caller's
/// transaction: one e-mail if the person has an e-mail, one SMS if a
/// mobile, only when their proactive consent is on. A verbale already
/// alerted is not alerted again (one row per verbale and channel).
/// Returns how many rows were written.
pub(crate) async fn queue(
    conn: &mut AnyConnection,
    person_id: &str,
    verbale_id: &str,
    now: Millis,
) -> Result<u64> {
    let Some(row) =
        sqlx::query("SELECT email, mobile, proactive_consent_at FROM people WHERE person_id = $1")
            .bind(person_id.to_owned())
            .fetch_optional(&mut *conn)
            .await?
    else {
        return Ok(0);
    };
    if row
        .try_get::<Option<i64>, _>("proactive_consent_at")?
        .is_none()
    {
        return Ok(0);
    }
    let email: Option<String> = row.try_get("email")?;
    let mobile: Option<String> = row.try_get("mobile")?;
    let mut written = 0;
    for (channel, address) in [("email", email), ("sms", mobile)] {
        if address.is_none_or(|a| a.is_empty()) {
            continue;
        }
        let done = sqlx::query(
            "INSERT INTO alerts (alert_id, person_id, verbale_id, channel, created_at, \
             attempts, next_attempt_at) VALUES ($1, $2, $3, $4, $5, 0, $5) \
             ON CONFLICT (verbale_id, channel) DO NOTHING",
        )
        .bind(random_id())
        .bind(person_id.to_owned())
        .bind(verbale_id.to_owned())
        .bind(channel)
        .bind(now)
        .execute(&mut *conn)
        .await?;
        written += done.rows_affected();
    }
    Ok(written)
}

impl Store {
    /// Turns the proactive consent of `person_id` on (from `now`) or off.
    pub async fn set_proactive_consent(
        &self,
        person_id: &str,
        on: bool,
        now: Millis,
    ) -> Result<bool> {
        // Only a change writes: the consent keeps the moment it was given,
        // and the caller logs what changed, once.
        let changed = sqlx::query(
            "UPDATE people SET proactive_consent_at = \
             CASE WHEN $2 = 1 THEN $3 ELSE NULL END \
             WHERE person_id = $1 \
             AND (CASE WHEN proactive_consent_at IS NULL THEN 0 ELSE 1 END) <> $2",
        )
        .bind(person_id.to_owned())
        .bind(i64::from(on))
        .bind(now)
        .execute(&self.pool)
        .await?
        .rows_affected();
        Ok(changed > 0)
    }

    /// Whether the proactive consent of `person_id` is on.
    pub async fn proactive_consent(&self, person_id: &str) -> Result<bool> {
        let row = sqlx::query("SELECT proactive_consent_at FROM people WHERE person_id = $1")
            .bind(person_id.to_owned())
            .fetch_optional(&self.pool)
            .await?;
        Ok(match row {
            Some(r) => r
                .try_get::<Option<i64>, _>("proactive_consent_at")?
                .is_some(),
            None => false,
        })
    }

    /// Claims up to `limit` due alerts until `now + lease`: each is won by
    /// one caller only (a conditional update), its attempt counted.
    pub async fn claim_alerts(
        &self,
        now: Millis,
        lease: Millis,
        limit: i64,
    ) -> Result<Vec<ClaimedAlert>> {
        let due = sqlx::query(
            "SELECT alert_id FROM alerts WHERE delivered_at IS NULL AND given_up_at IS NULL \
             AND next_attempt_at <= $1 AND (delivering_until IS NULL OR delivering_until < $1) \
             ORDER BY next_attempt_at, alert_id LIMIT $2",
        )
        .bind(now)
        .bind(limit)
        .fetch_all(&self.pool)
        .await?;
        let mut claimed = Vec::new();
        for row in due {
            let id: String = row.try_get("alert_id")?;
            let won = sqlx::query(
                "UPDATE alerts SET delivering_until = $2, attempts = attempts + 1 \
                 WHERE alert_id = $1 AND delivered_at IS NULL AND given_up_at IS NULL \
                 AND next_attempt_at <= $3 \
                 AND (delivering_until IS NULL OR delivering_until < $3)",
            )
            .bind(id.clone())
            .bind(now + lease)
            .bind(now)
            .execute(&self.pool)
            .await?;
            if won.rows_affected() != 1 {
                continue;
            }
            let r = sqlx::query(
                "SELECT a.alert_id, a.channel, a.attempts, p.given_name, p.family_name, \
                 p.email, p.mobile FROM alerts a JOIN people p ON p.person_id = a.person_id \
                 WHERE a.alert_id = $1",
            )
            .bind(id)
            .fetch_one(&self.pool)
            .await?;
            claimed.push(ClaimedAlert {
                alert_id: r.try_get("alert_id")?,
                channel: r.try_get("channel")?,
                attempts: r.try_get("attempts")?,
                given_name: r.try_get("given_name")?,
                family_name: r.try_get("family_name")?,
                email: r.try_get("email")?,
                mobile: r.try_get("mobile")?,
            });
        }
        Ok(claimed)
    }

    /// The alert was handed to the gateway: never sent again.
    pub async fn alert_delivered(&self, alert_id: &str, now: Millis) -> Result<()> {
        sqlx::query(
            "UPDATE alerts SET delivered_at = $2, delivering_until = NULL WHERE alert_id = $1",
        )
        .bind(alert_id.to_owned())
        .bind(now)
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    /// The attempt failed: tried again from `next_attempt_at`, or given up
    /// (`give_up`) for good.
    pub async fn alert_failed(
        &self,
        alert_id: &str,
        next_attempt_at: Millis,
        give_up: bool,
        now: Millis,
    ) -> Result<()> {
        sqlx::query(
            "UPDATE alerts SET delivering_until = NULL, next_attempt_at = $2, \
             given_up_at = CASE WHEN $3 = 1 THEN $4 ELSE NULL END WHERE alert_id = $1",
        )
        .bind(alert_id.to_owned())
        .bind(next_attempt_at)
        .bind(i64::from(give_up))
        .bind(now)
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    /// Every alert, oldest first.
    pub async fn alerts(&self) -> Result<Vec<AlertRecord>> {
        let rows = sqlx::query(
            "SELECT alert_id, person_id, verbale_id, channel, attempts, next_attempt_at, \
             delivered_at, given_up_at FROM alerts ORDER BY created_at, channel, alert_id",
        )
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|r| {
                Ok(AlertRecord {
                    alert_id: r.try_get("alert_id")?,
                    person_id: r.try_get("person_id")?,
                    verbale_id: r.try_get("verbale_id")?,
                    channel: r.try_get("channel")?,
                    attempts: r.try_get("attempts")?,
                    next_attempt_at: r.try_get("next_attempt_at")?,
                    delivered_at: r.try_get("delivered_at")?,
                    given_up_at: r.try_get("given_up_at")?,
                })
            })
            .collect()
    }
}
