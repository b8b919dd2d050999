-- Level 2 (SPEC §4): one-time codes sent to the holder's mobile. Only an
-- HMAC of the code, keyed with the server secret, is stored: a 6-digit code
-- has too little entropy for a plain hash. Each request is bound to the
-- operator session that asked for it; state moves pending → used | burned
-- with single atomic updates, so two concurrent correct submissions cannot
-- both succeed.
CREATE TABLE otp_requests (
    otp_request_id TEXT PRIMARY KEY,
    attestation_id TEXT NOT NULL REFERENCES attestations (attestation_id),
    person_id TEXT NOT NULL REFERENCES people (person_id),
    session_hash TEXT NOT NULL,
    operator TEXT NOT NULL,
    organisation TEXT,
    code_mac TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    expires_at BIGINT NOT NULL,
    failures BIGINT NOT NULL DEFAULT 0,
    state TEXT NOT NULL
);
-- The send quota counts a citizen's recent requests.
CREATE INDEX otp_requests_by_person ON otp_requests (person_id, created_at);

-- Demo mode only: the SMS and e-mails "sent", which the demo outbox lists.
-- Real gateways never write here (an SMS body holds a live one-time code).
-- Bodies never hold health data or a codice fiscale (SPEC §9.11).
CREATE TABLE outbox (
    message_id TEXT PRIMARY KEY,
    channel TEXT NOT NULL,
    recipient TEXT NOT NULL,
    body TEXT NOT NULL,
    sent_at BIGINT NOT NULL
);
CREATE INDEX outbox_by_time ON outbox (sent_at);
