-- The verbale guide's alerts (SPEC §11): the proactive consent, and the
-- durable outbox of the e-mail and SMS that tell a citizen a verbale waits
-- in their area. Portable SQL as in 0001: times epoch milliseconds.
--
-- proactive_consent_at: when the person turned proactive notices on; NULL
-- is off (the default).
ALTER TABLE people ADD COLUMN proactive_consent_at BIGINT;

-- One row per verbale and channel ('email' | 'sms'), written in the
-- transaction that makes the verbale definitive. The address, the name and
-- the text are read at delivery: no copy of personal data here, and no
-- health data at all. A row is claimed by a node until delivering_until
-- (a lease), then delivered (delivered_at) or, after a failure, tried
-- again from next_attempt_at; after the last attempt, given_up_at.
CREATE TABLE alerts (
    alert_id TEXT PRIMARY KEY,
    person_id TEXT NOT NULL REFERENCES people (person_id),
    verbale_id TEXT NOT NULL,
    channel TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    attempts BIGINT NOT NULL DEFAULT 0,
    next_attempt_at BIGINT NOT NULL,
    delivering_until BIGINT,
    delivered_at BIGINT,
    given_up_at BIGINT,
    UNIQUE (verbale_id, channel)
);
CREATE INDEX alerts_due ON alerts (delivered_at, given_up_at, next_attempt_at);
