-- Delegates (SPEC §6, §9.7): a holder names a person by codice fiscale, or
-- the back office records a parent or guardian. The delegate may have no
-- record of their own, so they are kept by codice fiscale.
CREATE TABLE delegations (
    delegation_id TEXT PRIMARY KEY,
    holder_id TEXT NOT NULL REFERENCES people (person_id),
    delegate_fiscal_code TEXT NOT NULL,
    created_by TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    revoked_at BIGINT
);
-- One live delegation per pair; lookups go both ways.
CREATE UNIQUE INDEX delegations_one_live ON delegations (holder_id, delegate_fiscal_code) WHERE revoked_at IS NULL;
CREATE INDEX delegations_by_delegate ON delegations (delegate_fiscal_code);

-- What was done in a citizen's area, and by whom (the citizen or a
-- delegate): the citizen reads it at GET /api/v1/me/activity.
CREATE TABLE activity (
    activity_id TEXT PRIMARY KEY,
    person_id TEXT NOT NULL REFERENCES people (person_id),
    at BIGINT NOT NULL,
    action TEXT NOT NULL,
    by_name TEXT NOT NULL,
    by_delegate BIGINT NOT NULL
);
CREATE INDEX activity_by_person ON activity (person_id, at);

-- The holder a delegate's session currently acts for (a person_id).
ALTER TABLE sessions ADD COLUMN acting_for TEXT;
