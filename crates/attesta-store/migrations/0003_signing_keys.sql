-- The EU Disability Card credential (SPEC §5). Portable SQL as in 0001:
-- times are epoch milliseconds (BIGINT), no BOOLEAN/DATE, no autoincrement.

-- Card signing keys: public halves and their state only. Private keys are
-- files on the signing nodes, never here. state: 'next' (published in the
-- JWK Set, not signing yet), 'active' (signs; at most one), 'retired'
-- (published while last_expiry, the latest expiry of anything it signed,
-- is in the future).
CREATE TABLE signing_keys (
    kid TEXT PRIMARY KEY,
    public_jwk TEXT NOT NULL,
    state TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    activated_at BIGINT,
    retired_at BIGINT,
    last_expiry BIGINT
);
CREATE UNIQUE INDEX signing_keys_one_active ON signing_keys (state) WHERE state = 'active';

-- IETF Token Status Lists. Indexes are handed out from next_idx; the last
-- signed token (base64 of the CWT) is kept so that nodes without the
-- private key can still serve it while it is fresh.
CREATE TABLE status_lists (
    list_id TEXT PRIMARY KEY,
    bits BIGINT NOT NULL,
    capacity BIGINT NOT NULL,
    next_idx BIGINT NOT NULL,
    created_at BIGINT NOT NULL,
    token TEXT,
    token_issued_at BIGINT
);

-- One row per card serial that has a credential: its slot in a status
-- list, the key that signed it last, and its revocation.
CREATE TABLE card_credentials (
    serial TEXT PRIMARY KEY,
    list_id TEXT NOT NULL REFERENCES status_lists (list_id),
    idx BIGINT NOT NULL,
    kid TEXT NOT NULL,
    issued_at BIGINT NOT NULL,
    expires_at BIGINT NOT NULL,
    revoked_at BIGINT
);
CREATE UNIQUE INDEX card_credentials_slot ON card_credentials (list_id, idx);
