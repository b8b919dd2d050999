//! The handles of open operator checks (SPEC §12, token hygiene): a random
//! handle in the check page's address stands for the attestation whose QR
//! was read, so the token itself is in no address after the first request.

use sqlx::Row;

use crate::{Millis, Result, Store};

impl Store {
    /// Opens a check: `handle_hash` (SHA-256 of the handle, hex) stands for
    /// `attestation_id` until `expires_at`. Expired handles are deleted in
    /// the same call, so the table holds only the checks of the last minutes.
    pub async fn open_check_handle(
        &self,
        handle_hash: &str,
        attestation_id: &str,
        now: Millis,
        expires_at: Millis,
    ) -> Result<()> {
        self.purge_expired_check_handles(now).await?;
        sqlx::query(
            "INSERT INTO check_handles (handle_hash, attestation_id, created_at, expires_at) \
             VALUES ($1, $2, $3, $4)",
        )
        .bind(handle_hash.to_owned())
        .bind(attestation_id.to_owned())
        .bind(now)
        .bind(expires_at)
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    /// The attestation a handle stands for, if the handle exists and has
    /// not expired at `now`.
    pub async fn check_handle(&self, handle_hash: &str, now: Millis) -> Result<Option<String>> {
        let row = sqlx::query(
            "SELECT attestation_id FROM check_handles WHERE handle_hash = $1 AND expires_at > $2",
        )
        .bind(handle_hash.to_owned())
        .bind(now)
        .fetch_optional(&self.pool)
        .await?;
        Ok(row
            .map(|r| r.try_get::<String, _>("attestation_id"))
            .transpose()?)
    }

    /// Deletes the handles expired at `now`; returns how many.
    pub async fn purge_expired_check_handles(&self, now: Millis) -> Result<u64> {
        let done = sqlx::query("DELETE FROM check_handles WHERE expires_at <= $1")
            .bind(now)
            .execute(&self.pool)
            .await?;
        Ok(done.rows_affected())
    }
}
