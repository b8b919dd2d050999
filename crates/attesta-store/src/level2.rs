//! One-time codes for level 2, and the message outbox.

use sqlx::Row;

use crate::{Millis, Result, Store, StoreError};

/// Where a level-2 code is in its life, as stored in `otp_requests.state`.
/// (Expiry is not a state: it is read from `expires_at` against the clock.)
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum OtpState {
    /// Sent, waiting for the holder to read it out.
    Pending,
    /// Entered correctly once: the detail was shown.
    Used,
    /// Too many wrong codes: it never works again.
    Burned,
}

impl OtpState {
    pub const fn as_str(self) -> &'static str {
        match self {
            OtpState::Pending => "pending",
            OtpState::Used => "used",
            OtpState::Burned => "burned",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        [OtpState::Pending, OtpState::Used, OtpState::Burned]
            .into_iter()
            .find(|k| k.as_str() == s)
    }
}

fn otp_state(text: String) -> Result<OtpState> {
    OtpState::parse(&text).ok_or_else(|| StoreError::Corrupt(format!("OTP state {text:?}")))
}

/// A stored OTP request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OtpRecord {
    pub otp_request_id: String,
    pub attestation_id: String,
    pub person_id: String,
    pub session_hash: String,
    pub operator: String,
    pub organisation: Option<String>,
    pub code_mac: String,
    pub created_at: Millis,
    pub expires_at: Millis,
    pub failures: i64,
    pub state: OtpState,
}

/// One message handed to a gateway.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OutboxMessage {
    pub message_id: String,
    pub channel: String,
    pub recipient: String,
    pub body: String,
    pub sent_at: Millis,
}

impl Store {
    pub async fn insert_otp(&self, r: &OtpRecord) -> Result<()> {
        sqlx::query(
            "INSERT INTO otp_requests (otp_request_id, attestation_id, person_id, session_hash, \
             operator, organisation, code_mac, created_at, expires_at, failures, state) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)",
        )
        .bind(r.otp_request_id.clone())
        .bind(r.attestation_id.clone())
        .bind(r.person_id.clone())
        .bind(r.session_hash.clone())
        .bind(r.operator.clone())
        .bind(r.organisation.clone())
        .bind(r.code_mac.clone())
        .bind(r.created_at)
        .bind(r.expires_at)
        .bind(r.failures)
        .bind(r.state.as_str())
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    /// Retention (SPEC §12): deletes the requests that expired before
    /// `expired_before` (the jobs pass 24 hours ago); returns how many.
    /// The send quota only counts requests of the last 24 hours, and a
    /// request is created before it expires, so none it counts goes.
    pub async fn purge_otp_requests(&self, expired_before: Millis) -> Result<u64> {
        let done = sqlx::query("DELETE FROM otp_requests WHERE expires_at < $1")
            .bind(expired_before)
            .execute(&self.pool)
            .await?;
        Ok(done.rows_affected())
    }

    /// Removes a request whose code could not be sent (it never existed for
    /// the citizen, so it must not count against their quota).
    pub async fn delete_otp(&self, otp_request_id: &str) -> Result<()> {
        sqlx::query("DELETE FROM otp_requests WHERE otp_request_id = $1")
            .bind(otp_request_id.to_owned())
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    /// Requests for a person created at or after `since`, oldest first
    /// (their times, for the quota and its Retry-After).
    pub async fn otp_times_since(&self, person_id: &str, since: Millis) -> Result<Vec<Millis>> {
        let rows = sqlx::query(
            "SELECT created_at FROM otp_requests WHERE person_id = $1 AND created_at >= $2 \
             ORDER BY created_at",
        )
        .bind(person_id.to_owned())
        .bind(since)
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|r| Ok(r.try_get::<i64, _>("created_at")?))
            .collect()
    }

    pub async fn otp(&self, otp_request_id: &str) -> Result<Option<OtpRecord>> {
        let row = sqlx::query(
            "SELECT otp_request_id, attestation_id, person_id, session_hash, operator, \
             organisation, code_mac, created_at, expires_at, failures, state \
             FROM otp_requests WHERE otp_request_id = $1",
        )
        .bind(otp_request_id.to_owned())
        .fetch_optional(&self.pool)
        .await?;
        row.map(|r| {
            Ok(OtpRecord {
                otp_request_id: r.try_get("otp_request_id")?,
                attestation_id: r.try_get("attestation_id")?,
                person_id: r.try_get("person_id")?,
                session_hash: r.try_get("session_hash")?,
                operator: r.try_get("operator")?,
                organisation: r.try_get("organisation")?,
                code_mac: r.try_get("code_mac")?,
                created_at: r.try_get("created_at")?,
                expires_at: r.try_get("expires_at")?,
                failures: r.try_get("failures")?,
                state: otp_state(r.try_get("state")?)?,
            })
        })
        .transpose()
    }

    /// Counts a wrong code on a pending request, burning it at `max`
    /// failures. Returns the failures and state after the update, or `None`
    /// if the request was no longer pending.
    pub async fn otp_failure(
        &self,
        otp_request_id: &str,
        max: i64,
    ) -> Result<Option<(i64, OtpState)>> {
        let row = sqlx::query(
            "UPDATE otp_requests SET failures = failures + 1, \
             state = CASE WHEN failures + 1 >= $2 THEN 'burned' ELSE state END \
             WHERE otp_request_id = $1 AND state = 'pending' RETURNING failures, state",
        )
        .bind(otp_request_id.to_owned())
        .bind(max)
        .fetch_optional(&self.pool)
        .await?;
        row.map(|r| Ok((r.try_get("failures")?, otp_state(r.try_get("state")?)?)))
            .transpose()
    }

    /// Marks a pending, unexpired request used. True for exactly one caller.
    pub async fn otp_use(&self, otp_request_id: &str, now: Millis) -> Result<bool> {
        let done = sqlx::query(
            "UPDATE otp_requests SET state = 'used' \
             WHERE otp_request_id = $1 AND state = 'pending' AND expires_at > $2",
        )
        .bind(otp_request_id.to_owned())
        .bind(now)
        .execute(&self.pool)
        .await?;
        Ok(done.rows_affected() == 1)
    }

    pub async fn record_message(&self, m: &OutboxMessage) -> Result<()> {
        sqlx::query(
            "INSERT INTO outbox (message_id, channel, recipient, body, sent_at) \
             VALUES ($1, $2, $3, $4, $5)",
        )
        .bind(m.message_id.clone())
        .bind(m.channel.clone())
        .bind(m.recipient.clone())
        .bind(m.body.clone())
        .bind(m.sent_at)
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    /// The newest messages first.
    pub async fn messages(&self, limit: i64) -> Result<Vec<OutboxMessage>> {
        let rows = sqlx::query(
            "SELECT message_id, channel, recipient, body, sent_at FROM outbox \
             ORDER BY sent_at DESC, message_id DESC LIMIT $1",
        )
        .bind(limit)
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|r| {
                Ok(OutboxMessage {
                    message_id: r.try_get("message_id")?,
                    channel: r.try_get("channel")?,
                    recipient: r.try_get("recipient")?,
                    body: r.try_get("body")?,
                    sent_at: r.try_get("sent_at")?,
                })
            })
            .collect()
    }
}
