-- The application journey (SPEC §10): doctors' certificates, applications
-- and their full event history. Portable SQL as in 0001: times epoch
-- milliseconds (BIGINT), dates ISO text (so they compare as text), booleans
-- BIGINT 0/1, random hex ids; every word is the vocabulary's
-- (attesta-domain journey::vocab), an unknown one reads back as corrupt.

-- One row per doctor's certificate, as the back office sent it. The
-- columns are the compared content (a resubmission with other content is a
-- conflict); expired_on is set once by the scheduled job, the first day an
-- unused ordinary certificate can no longer be used.
CREATE TABLE certificates (
    certificate_id TEXT PRIMARY KEY,
    person_id TEXT NOT NULL REFERENCES people (person_id),
    issued_on TEXT NOT NULL,
    purposes TEXT NOT NULL,
    province TEXT NOT NULL,
    oncological BIGINT NOT NULL,
    procedure TEXT NOT NULL,
    -- Whether the back office stated the procedure (it then wins over the
    -- province's later start of the reform, SPEC §10).
    procedure_stated BIGINT NOT NULL,
    doctor TEXT,
    expired_on TEXT,
    created_at BIGINT NOT NULL
);
-- GET /api/v1/me/certificates and the back office list a person's.
CREATE INDEX certificates_by_person ON certificates (person_id, issued_on);

-- One row per application with its current state and the facts the rules
-- need, so the current state is read in one query and never replayed from
-- the events. version counts the events applied: every event updates the
-- row WHERE version = the version it was computed from, in the transaction
-- that inserts the event, so of two concurrent events only one applies.
-- inps_due (ordinary, awaiting_inps) and appeal_open are columns because
-- the job and the one-at-a-time rule query them; the rest of the domain's
-- facts (visit, absences, documents requests, …) are facts_json.
CREATE TABLE applications (
    application_id TEXT PRIMARY KEY,
    -- UNIQUE: one application per certificate (409 certificate_used), held
    -- by the database even under concurrent requests.
    certificate_id TEXT NOT NULL UNIQUE REFERENCES certificates (certificate_id),
    person_id TEXT NOT NULL REFERENCES people (person_id),
    procedure TEXT NOT NULL,
    purposes TEXT NOT NULL,
    state TEXT NOT NULL,
    opened_on TEXT NOT NULL,
    via TEXT,
    inps_due TEXT,
    verbale_id TEXT,
    appeal_open BIGINT NOT NULL DEFAULT 0,
    last_event_on TEXT,
    facts_json TEXT NOT NULL,
    version BIGINT NOT NULL DEFAULT 0,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);
-- A person's applications, newest first; the one-at-a-time rule reads them.
CREATE INDEX applications_by_person ON applications (person_id, created_at);
-- The silent-assent job: awaiting_inps applications past their due date.
CREATE INDEX applications_by_due ON applications (state, inps_due);

-- The full history: one row per event, numbered per application. The
-- primary key on (application_id, seq) is a second guard besides version:
-- two writers computing from the same version insert the same seq.
-- on_day is the event's `on` (ON is an SQL keyword).
CREATE TABLE application_events (
    application_id TEXT NOT NULL REFERENCES applications (application_id),
    seq BIGINT NOT NULL,
    kind TEXT NOT NULL,
    on_day TEXT NOT NULL,
    payload_json TEXT NOT NULL,
    recorded_at BIGINT NOT NULL,
    PRIMARY KEY (application_id, seq)
);

-- A verbale may be linked to the application it concludes (SPEC §10.1,
-- "Verbali and applications"); definitive_on is the day it became
-- definitive (arrival, confirmation or silent assent). Verbali stored
-- before this migration keep it null: the day was not recorded then.
ALTER TABLE verbali ADD COLUMN application_id TEXT;
ALTER TABLE verbali ADD COLUMN definitive_on TEXT;

-- Scheduled jobs run on one node at a time: a node holds a job's row until
-- held_until (a crashed node's lock lapses); taking it is one conditional
-- upsert, atomic on both engines.
CREATE TABLE job_locks (
    name TEXT PRIMARY KEY,
    holder TEXT NOT NULL,
    held_until BIGINT NOT NULL
);
