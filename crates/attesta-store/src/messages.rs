//! Messages from the back office to a citizen (SPEC §11, "Le comunicazioni"):
//! written once, listed newest first, marked read by their owner.

use sqlx::Row;

use crate::{Millis, Result, Store, ids::random_id};

/// One stored message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MessageRecord {
    pub message_id: String,
    pub created_at: Millis,
    pub subject: String,
    pub body: String,
    pub read_at: Option<Millis>,
}

impl Store {
    /// Stores a message for `person_id` at `now`; returns its random id.
    pub async fn add_message(
        &self,
        person_id: &str,
        subject: &str,
        body: &str,
        now: Millis,
    ) -> Result<String> {
        let id = random_id();
        sqlx::query(
            "INSERT INTO messages (message_id, person_id, created_at, subject, body, read_at) \
             VALUES ($1, $2, $3, $4, $5, NULL)",
        )
        .bind(id.clone())
        .bind(person_id.to_owned())
        .bind(now)
        .bind(subject.to_owned())
        .bind(body.to_owned())
        .execute(&self.pool)
        .await?;
        Ok(id)
    }

    /// The messages of `person_id`, newest first (ties by id, so the order
    /// is stable).
    pub async fn messages_for(&self, person_id: &str) -> Result<Vec<MessageRecord>> {
        let rows = sqlx::query(
            "SELECT message_id, created_at, subject, body, read_at FROM messages \
             WHERE person_id = $1 ORDER BY created_at DESC, message_id DESC",
        )
        .bind(person_id.to_owned())
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|r| {
                Ok(MessageRecord {
                    message_id: r.try_get("message_id")?,
                    created_at: r.try_get("created_at")?,
                    subject: r.try_get("subject")?,
                    body: r.try_get("body")?,
                    read_at: r.try_get("read_at")?,
                })
            })
            .collect()
    }

    /// Marks `message_id` read at `now` if it belongs to `person_id`. A
    /// message already read keeps its first reading time. Returns false
    /// when no message of that person has that id.
    pub async fn mark_message_read(
        &self,
        person_id: &str,
        message_id: &str,
        now: Millis,
    ) -> Result<bool> {
        sqlx::query(
            "UPDATE messages SET read_at = $1 \
             WHERE message_id = $2 AND person_id = $3 AND read_at IS NULL",
        )
        .bind(now)
        .bind(message_id.to_owned())
        .bind(person_id.to_owned())
        .execute(&self.pool)
        .await?;
        let row = sqlx::query(
            "SELECT COUNT(*) AS n FROM messages WHERE message_id = $1 AND person_id = $2",
        )
        .bind(message_id.to_owned())
        .bind(person_id.to_owned())
        .fetch_one(&self.pool)
        .await?;
        Ok(row.try_get::<i64, _>("n")? > 0)
    }

    /// How many messages of `person_id` are unread.
    pub async fn unread_message_count(&self, person_id: &str) -> Result<i64> {
        let row = sqlx::query(
            "SELECT COUNT(*) AS n FROM messages WHERE person_id = $1 AND read_at IS NULL",
        )
        .bind(person_id.to_owned())
        .fetch_one(&self.pool)
        .await?;
        Ok(row.try_get("n")?)
    }
}
