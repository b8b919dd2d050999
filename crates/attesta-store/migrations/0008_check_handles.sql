-- Token hygiene (SPEC §12): `GET /v/{token}` answers 303 to
-- `/v/check/{handle}`, so that the token (a bearer factor of the check)
-- leaves the address bar, the history, later links and any Referer after
-- the first request. The handle is random (128 bits) and only its SHA-256
-- is kept here, with the attestation it stands for: whoever reads this
-- table cannot open a check, and two tabs checking two QRs each hold their
-- own row, so they never mix. A handle lives 15 minutes; expired rows are
-- deleted whenever a new check is opened. (Numbered 0008: 0006 and 0007
-- were taken by work done in parallel; the migrator applies by number and
-- does not need them to be consecutive.)
CREATE TABLE check_handles (
    handle_hash TEXT PRIMARY KEY,
    attestation_id TEXT NOT NULL REFERENCES attestations (attestation_id),
    created_at BIGINT NOT NULL,
    expires_at BIGINT NOT NULL
);
CREATE INDEX check_handles_by_expiry ON check_handles (expires_at);
