-- Messages from the back office to a citizen ("Le comunicazioni", SPEC §11,
-- DOMAIN §8.2). Portable SQL as in 0001: times epoch milliseconds (BIGINT),
-- random hex ids. Subject and body are plain text as written (validated by
-- the domain, escaped wherever shown). read_at is NULL until the holder (or
-- a delegate acting for them) marks the message read.
CREATE TABLE messages (
    message_id TEXT PRIMARY KEY,
    person_id TEXT NOT NULL REFERENCES people (person_id),
    created_at BIGINT NOT NULL,
    subject TEXT NOT NULL,
    body TEXT NOT NULL,
    read_at BIGINT
);
CREATE INDEX messages_by_person ON messages (person_id, created_at);
