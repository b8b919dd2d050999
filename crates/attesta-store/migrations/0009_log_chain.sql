-- The verification log is hash-chained (SPEC §12, `attesta audit verify`):
-- one chain per database. Each entry carries its place in the chain (`seq`,
-- 1, 2, …), the hash of the entry before it (`prev_hash`) and its own
-- (`entry_hash` = SHA-256 of the previous hash and the entry's canonical
-- content, defined once in attesta-store's `log_chain.rs`). The group-commit
-- log writer fills them, a batch at a time. Rows from before this migration
-- have no place yet: the first writer to start on an empty chain links them
-- in (at, verification_id) order; after that, a row outside the chain is an
-- entry written behind the writer's back and `audit verify` names it.
ALTER TABLE verifications ADD COLUMN seq BIGINT;
ALTER TABLE verifications ADD COLUMN prev_hash TEXT;
ALTER TABLE verifications ADD COLUMN entry_hash TEXT;
-- The walk goes in chain order; NULLs (not yet chained) may repeat.
CREATE UNIQUE INDEX verifications_by_seq ON verifications (seq);

-- The chain head, one row per database: the last entry's place and hash.
-- The writer reads it once per batch inside its write transaction (on
-- PostgreSQL `FOR UPDATE`, so several nodes extend one chain; on SQLite the
-- transaction is already exclusive) and moves it before the commit.
-- `head_hash` starts as 64 zeros (the genesis hash).
CREATE TABLE verification_chain (
    chain_id BIGINT PRIMARY KEY,
    seq BIGINT NOT NULL,
    head_hash TEXT NOT NULL
);
INSERT INTO verification_chain (chain_id, seq, head_hash)
VALUES (1, 0, '0000000000000000000000000000000000000000000000000000000000000000');
