-- Documents a citizen (or a delegate acting for them) sends for one of
-- their applications (SPEC §11, issue #14; DOMAIN §8.2, §13). Portable SQL
-- as in 0001: times epoch milliseconds (BIGINT), random hex ids. The bytes
-- are stored as checked and cleaned (a PDF as sent, an image re-encoded
-- without metadata), base64 text as the card photo in 0005: sqlx's Any
-- driver handles text the same way on both engines, BLOB/BYTEA not.
-- file_name is the sent name, sanitised (letters, digits, . - _ only).
CREATE TABLE documents (
    document_id TEXT PRIMARY KEY,
    application_id TEXT NOT NULL REFERENCES applications (application_id),
    person_id TEXT NOT NULL REFERENCES people (person_id),
    created_at BIGINT NOT NULL,
    content_type TEXT NOT NULL,
    size BIGINT NOT NULL,
    file_name TEXT NOT NULL,
    sent_by TEXT NOT NULL,
    content_base64 TEXT NOT NULL
);
CREATE INDEX documents_by_person ON documents (person_id, created_at);
CREATE INDEX documents_by_application ON documents (application_id, created_at);
