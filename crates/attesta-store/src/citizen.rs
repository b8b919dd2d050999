//! Delegations, the activity log, and what a session acts for.

use sqlx::Row;

use crate::{Millis, Result, Store, ids};

/// A live delegation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DelegationRecord {
    pub delegation_id: String,
    pub holder_id: String,
    pub delegate_fiscal_code: String,
    pub created_by: String,
    pub created_at: Millis,
}

/// One action in a citizen's area.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ActivityRecord {
    pub at: Millis,
    pub action: attesta_domain::Activity,
    pub by_name: String,
    pub by_delegate: bool,
}

fn delegation(r: &sqlx::any::AnyRow) -> Result<DelegationRecord> {
    Ok(DelegationRecord {
        delegation_id: r.try_get("delegation_id")?,
        holder_id: r.try_get("holder_id")?,
        delegate_fiscal_code: r.try_get("delegate_fiscal_code")?,
        created_by: r.try_get("created_by")?,
        created_at: r.try_get("created_at")?,
    })
}

impl Store {
    /// Names a delegate; an existing live delegation for the pair is kept
    /// and returned (idempotent).
    pub async fn add_delegation(
        &self,
        holder_id: &str,
        delegate_fiscal_code: &str,
        created_by: &str,
        now: Millis,
    ) -> Result<(DelegationRecord, bool)> {
        let mut tx = self.begin().await?;
        let existing = sqlx::query(
            "SELECT delegation_id, holder_id, delegate_fiscal_code, created_by, created_at \
             FROM delegations WHERE holder_id = $1 AND delegate_fiscal_code = $2 AND revoked_at IS NULL",
        )
        .bind(holder_id.to_owned())
        .bind(delegate_fiscal_code.to_owned())
        .fetch_optional(&mut *tx)
        .await?;
        if let Some(r) = existing {
            return Ok((delegation(&r)?, false));
        }
        let record = DelegationRecord {
            delegation_id: ids::random_id(),
            holder_id: holder_id.to_owned(),
            delegate_fiscal_code: delegate_fiscal_code.to_owned(),
            created_by: created_by.to_owned(),
            created_at: now,
        };
        sqlx::query(
            "INSERT INTO delegations (delegation_id, holder_id, delegate_fiscal_code, created_by, created_at) \
             VALUES ($1, $2, $3, $4, $5)",
        )
        .bind(record.delegation_id.clone())
        .bind(record.holder_id.clone())
        .bind(record.delegate_fiscal_code.clone())
        .bind(record.created_by.clone())
        .bind(now)
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok((record, true))
    }

    /// Ends a holder's delegation; false when there was no such live one.
    pub async fn revoke_delegation(
        &self,
        holder_id: &str,
        delegation_id: &str,
        now: Millis,
    ) -> Result<bool> {
        let done = sqlx::query(
            "UPDATE delegations SET revoked_at = $3 \
             WHERE delegation_id = $1 AND holder_id = $2 AND revoked_at IS NULL",
        )
        .bind(delegation_id.to_owned())
        .bind(holder_id.to_owned())
        .bind(now)
        .execute(&self.pool)
        .await?;
        Ok(done.rows_affected() > 0)
    }

    /// The live delegates of a holder, oldest first.
    pub async fn delegations_of_holder(&self, holder_id: &str) -> Result<Vec<DelegationRecord>> {
        let rows = sqlx::query(
            "SELECT delegation_id, holder_id, delegate_fiscal_code, created_by, created_at \
             FROM delegations WHERE holder_id = $1 AND revoked_at IS NULL ORDER BY created_at, delegation_id",
        )
        .bind(holder_id.to_owned())
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(delegation).collect()
    }

    /// The holders a delegate may act for.
    pub async fn delegations_to(
        &self,
        delegate_fiscal_code: &str,
    ) -> Result<Vec<DelegationRecord>> {
        let rows = sqlx::query(
            "SELECT delegation_id, holder_id, delegate_fiscal_code, created_by, created_at \
             FROM delegations WHERE delegate_fiscal_code = $1 AND revoked_at IS NULL \
             ORDER BY created_at, delegation_id",
        )
        .bind(delegate_fiscal_code.to_owned())
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(delegation).collect()
    }

    /// Whether `delegate_fiscal_code` may act for `holder_id` now.
    pub async fn is_delegate(&self, holder_id: &str, delegate_fiscal_code: &str) -> Result<bool> {
        let row = sqlx::query(
            "SELECT 1 AS one FROM delegations WHERE holder_id = $1 AND delegate_fiscal_code = $2 \
             AND revoked_at IS NULL",
        )
        .bind(holder_id.to_owned())
        .bind(delegate_fiscal_code.to_owned())
        .fetch_optional(&self.pool)
        .await?;
        Ok(row.is_some())
    }

    /// Sets (or clears) whom a session acts for.
    pub async fn set_acting_for(&self, session_hash: &str, person_id: Option<&str>) -> Result<()> {
        sqlx::query("UPDATE sessions SET acting_for = $2 WHERE session_hash = $1")
            .bind(session_hash.to_owned())
            .bind(person_id.map(str::to_owned))
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    pub async fn record_activity(
        &self,
        person_id: &str,
        at: Millis,
        action: attesta_domain::Activity,
        by_name: &str,
        by_delegate: bool,
    ) -> Result<()> {
        sqlx::query(
            "INSERT INTO activity (activity_id, person_id, at, action, by_name, by_delegate) \
             VALUES ($1, $2, $3, $4, $5, $6)",
        )
        .bind(ids::random_id())
        .bind(person_id.to_owned())
        .bind(at)
        .bind(action.as_str())
        .bind(by_name.to_owned())
        .bind(i64::from(by_delegate))
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    /// A person's activity, newest first.
    pub async fn activity_of(&self, person_id: &str, limit: i64) -> Result<Vec<ActivityRecord>> {
        let rows = sqlx::query(
            "SELECT at, action, by_name, by_delegate FROM activity WHERE person_id = $1 \
             ORDER BY at DESC, activity_id DESC LIMIT $2",
        )
        .bind(person_id.to_owned())
        .bind(limit)
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|r| {
                Ok(ActivityRecord {
                    at: r.try_get("at")?,
                    action: {
                        let text: String = r.try_get("action")?;
                        attesta_domain::Activity::parse(&text).ok_or_else(|| {
                            crate::StoreError::Corrupt(format!("activity {text:?}"))
                        })?
                    },
                    by_name: r.try_get("by_name")?,
                    by_delegate: r.try_get::<i64, _>("by_delegate")? != 0,
                })
            })
            .collect()
    }
}
