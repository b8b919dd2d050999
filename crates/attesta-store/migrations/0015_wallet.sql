-- The card in the citizen's wallet (issue #19): OpenID4VCI 1.0,
-- pre-authorized code flow. Portable SQL as in 0001: times epoch
-- milliseconds. No code, token or nonce is stored in clear: the
-- pre-authorized code, the access token and the nonce are 128-bit random
-- values stored as their SHA-256 (hex); the 6-digit transaction code has
-- too little entropy for a plain hash, so it is stored as an HMAC keyed
-- with the server secret, as the level-2 OTP (0002).

-- One offer per press of "add to my wallet", for one card. state moves
-- pending → used (redeemed at the token endpoint) | burned (three wrong
-- transaction codes) with single conditional updates, as otp_requests do,
-- so the failure count is exact across concurrent requests and nodes.
CREATE TABLE wallet_offers (
    offer_id TEXT PRIMARY KEY,
    person_id TEXT NOT NULL REFERENCES people (person_id),
    serial TEXT NOT NULL,
    code_hash TEXT NOT NULL UNIQUE,
    tx_code_mac TEXT NOT NULL,
    failures BIGINT NOT NULL DEFAULT 0,
    state TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    expires_at BIGINT NOT NULL,
    used_at BIGINT
);
CREATE INDEX wallet_offers_by_expiry ON wallet_offers (expires_at);

-- The access token a redeemed offer gave (one per offer); spent when a
-- credential is issued with it. A refused proof does not spend it.
CREATE TABLE wallet_access_tokens (
    token_hash TEXT PRIMARY KEY,
    offer_id TEXT NOT NULL UNIQUE REFERENCES wallet_offers (offer_id),
    created_at BIGINT NOT NULL,
    expires_at BIGINT NOT NULL,
    spent_at BIGINT
);

-- The nonce endpoint's c_nonces: single use, stored so every node agrees.
CREATE TABLE wallet_nonces (
    nonce_hash TEXT PRIMARY KEY,
    expires_at BIGINT NOT NULL,
    used_at BIGINT
);
CREATE INDEX wallet_nonces_by_expiry ON wallet_nonces (expires_at);

-- Every wallet credential issued: which card (its status-list entry is
-- the credential's, so revoking the card revokes them all) and which
-- holder key (its RFC 7638 JWK thumbprint, not the key).
CREATE TABLE wallet_credentials (
    credential_id TEXT PRIMARY KEY,
    person_id TEXT NOT NULL REFERENCES people (person_id),
    serial TEXT NOT NULL,
    holder_thumbprint TEXT NOT NULL,
    issued_at BIGINT NOT NULL
);
CREATE INDEX wallet_credentials_by_serial ON wallet_credentials (serial);
