-- Portable SQL: the same file runs on SQLite and PostgreSQL. Times are
-- epoch milliseconds (BIGINT), dates ISO text, booleans BIGINT 0/1: the sqlx
-- Any driver decodes only ints, floats, text and bytes the same way on both.

-- The holders. A surrogate id keeps the codice fiscale out of every other
-- table; status_json is the current status, rewritten whenever a verbale
-- arrives, so a level-1 check never replays a person's history.
CREATE TABLE people (
    person_id TEXT PRIMARY KEY,
    fiscal_code TEXT NOT NULL UNIQUE,
    given_name TEXT NOT NULL,
    family_name TEXT NOT NULL,
    birth_date TEXT NOT NULL,
    email TEXT,
    mobile TEXT,
    privacy_accepted_at BIGINT,
    status_json TEXT,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);

-- Every verbale ever received, definitive or not, in its canonical JSON.
-- seq is the per-person ingest order: the tie-break between verbali with the
-- same session date (SPEC §2).
CREATE TABLE verbali (
    verbale_id TEXT PRIMARY KEY,
    person_id TEXT NOT NULL REFERENCES people (person_id),
    seq BIGINT NOT NULL,
    session_date TEXT NOT NULL,
    definitive BIGINT NOT NULL,
    body TEXT NOT NULL,
    ingested_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);
CREATE INDEX verbali_by_person ON verbali (person_id, seq);

-- QR attestations. Only SHA-256(token) is stored; the token is re-derived
-- from the server secret and attestation_id. The failure counter lives on
-- the row so that the level-1 check reads it in the same indexed lookup,
-- and it is shared by every node.
CREATE TABLE attestations (
    attestation_id TEXT PRIMARY KEY,
    person_id TEXT NOT NULL REFERENCES people (person_id),
    token_hash TEXT NOT NULL UNIQUE,
    created_at BIGINT NOT NULL,
    revoked_at BIGINT,
    failures BIGINT NOT NULL DEFAULT 0,
    window_start BIGINT
);
-- One active attestation per person, enforced by the database.
CREATE UNIQUE INDEX attestations_one_active ON attestations (person_id) WHERE revoked_at IS NULL;

-- Every verification attempt, written before the answer leaves. Never the
-- codice fiscale, never health data. person_id is null for unknown tokens.
CREATE TABLE verifications (
    verification_id TEXT PRIMARY KEY,
    person_id TEXT,
    attestation_id TEXT,
    at BIGINT NOT NULL,
    level BIGINT NOT NULL,
    outcome TEXT NOT NULL,
    operator TEXT,
    organisation TEXT
);
CREATE INDEX verifications_by_person ON verifications (person_id, at);

-- Login sessions (citizen or operator). Only SHA-256 of the cookie value is
-- stored, so a database dump cannot be replayed as cookies.
CREATE TABLE sessions (
    session_hash TEXT PRIMARY KEY,
    role TEXT NOT NULL,
    subject TEXT NOT NULL,
    display_name TEXT NOT NULL,
    organisation TEXT,
    csrf_token TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    expires_at BIGINT NOT NULL
);
CREATE INDEX sessions_by_expiry ON sessions (expires_at);
