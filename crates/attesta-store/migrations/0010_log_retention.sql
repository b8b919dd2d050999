-- Retention of the verification log (SPEC §12): the jobs delete the entries
-- older than ATTESTA_LOG_RETENTION_DAYS, always the oldest ones, and the
-- chain stays verifiable from the oldest entry kept. The chain row records
-- where the kept log starts: the place and hash of the last entry removed
-- (0 and the genesis hash while none was). `audit verify` checks that the
-- oldest kept entry follows it, so an entry removed at the start behind the
-- jobs' back is named like one removed in the middle.
ALTER TABLE verification_chain ADD COLUMN pruned_seq BIGINT NOT NULL DEFAULT 0;
ALTER TABLE verification_chain ADD COLUMN pruned_hash TEXT NOT NULL
    DEFAULT '0000000000000000000000000000000000000000000000000000000000000000';
