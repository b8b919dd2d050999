-- EU Disability Card applications and the cards issued from them (SPEC §5,
-- §6, §9.9). Portable SQL as in 0001: times epoch milliseconds (BIGINT),
-- dates ISO text, booleans BIGINT 0/1, random hex ids.
--
-- One row per application; an approved application is the card. status is
-- pending | rejected | active | revoked as stored; "expired" is computed
-- from expires_on on read (a card past its expiry shows as expired).
-- The photo is the re-encoded JPEG (no metadata), as base64 text: sqlx's
-- Any driver handles text the same way on both engines, BLOB/BYTEA not.
CREATE TABLE card_applications (
    application_id TEXT PRIMARY KEY,
    person_id TEXT NOT NULL REFERENCES people (person_id),
    status TEXT NOT NULL,
    declaration_json TEXT,
    photo_jpeg_base64 TEXT NOT NULL,
    submitted_at BIGINT NOT NULL,
    submitted_by TEXT NOT NULL,
    decided_at BIGINT,
    decided_by TEXT,
    reject_reason TEXT,
    serial TEXT UNIQUE,
    issued_on TEXT,
    expires_on TEXT,
    a_mark BIGINT,
    qr_text TEXT,
    revoked_at BIGINT,
    revoke_reason TEXT
);
-- One pending application per person, enforced by the database.
CREATE UNIQUE INDEX card_applications_one_pending ON card_applications (person_id) WHERE status = 'pending';
CREATE INDEX card_applications_by_person ON card_applications (person_id, submitted_at);
CREATE INDEX card_applications_by_status ON card_applications (status, submitted_at);
