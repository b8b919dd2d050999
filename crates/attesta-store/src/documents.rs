//! Documents a citizen sends for one of their applications (SPEC §11,
//! issue #14): written once, listed newest first, read back whole by the
//! back office. The bytes are base64 text (see 0012_documents.sql).

use sqlx::Row;

use crate::{Millis, Result, Store, ids::random_id};

/// A document to store: already checked and cleaned by the use case.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewDocument {
    pub application_id: String,
    pub person_id: String,
    pub content_type: String,
    pub size: i64,
    pub file_name: String,
    /// Who sent it: the holder's or the delegate's person id.
    pub sent_by: String,
    pub content_base64: String,
}

/// One stored document, without its bytes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DocumentRecord {
    pub document_id: String,
    pub application_id: String,
    pub person_id: String,
    pub created_at: Millis,
    pub content_type: String,
    pub size: i64,
    pub file_name: String,
    pub sent_by: String,
}

macro_rules! columns {
    () => {
        "document_id, application_id, person_id, created_at, content_type, size, file_name, sent_by"
    };
}

fn record(r: &sqlx::any::AnyRow) -> Result<DocumentRecord> {
    Ok(DocumentRecord {
        document_id: r.try_get("document_id")?,
        application_id: r.try_get("application_id")?,
        person_id: r.try_get("person_id")?,
        created_at: r.try_get("created_at")?,
        content_type: r.try_get("content_type")?,
        size: r.try_get("size")?,
        file_name: r.try_get("file_name")?,
        sent_by: r.try_get("sent_by")?,
    })
}

impl Store {
    /// Stores a document at `now`; returns its random id.
    pub async fn add_document(&self, new: &NewDocument, now: Millis) -> Result<String> {
        let id = random_id();
        sqlx::query(
            "INSERT INTO documents (document_id, application_id, person_id, created_at, \
             content_type, size, file_name, sent_by, content_base64) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
        )
        .bind(id.clone())
        .bind(new.application_id.clone())
        .bind(new.person_id.clone())
        .bind(now)
        .bind(new.content_type.clone())
        .bind(new.size)
        .bind(new.file_name.clone())
        .bind(new.sent_by.clone())
        .bind(new.content_base64.clone())
        .execute(&self.pool)
        .await?;
        Ok(id)
    }

    /// The documents of `person_id`, newest first (ties by id).
    pub async fn documents_of_person(&self, person_id: &str) -> Result<Vec<DocumentRecord>> {
        let rows = sqlx::query(concat!(
            "SELECT ",
            columns!(),
            " FROM documents WHERE person_id = $1 \
             ORDER BY created_at DESC, document_id DESC"
        ))
        .bind(person_id.to_owned())
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(record).collect()
    }

    /// The documents of one application, newest first (ties by id).
    pub async fn documents_of_application(
        &self,
        application_id: &str,
    ) -> Result<Vec<DocumentRecord>> {
        let rows = sqlx::query(concat!(
            "SELECT ",
            columns!(),
            " FROM documents WHERE application_id = $1 \
             ORDER BY created_at DESC, document_id DESC"
        ))
        .bind(application_id.to_owned())
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(record).collect()
    }

    /// One document with its bytes (base64), if it exists.
    pub async fn document(&self, document_id: &str) -> Result<Option<(DocumentRecord, String)>> {
        let row = sqlx::query(concat!(
            "SELECT ",
            columns!(),
            ", content_base64 FROM documents WHERE document_id = $1"
        ))
        .bind(document_id.to_owned())
        .fetch_optional(&self.pool)
        .await?;
        match row {
            Some(r) => Ok(Some((record(&r)?, r.try_get("content_base64")?))),
            None => Ok(None),
        }
    }
}
