-- Payments of a benefit ("Pagamenti e cedolini", SPEC §11, DOMAIN §8.2).
-- Portable SQL as in 0001. The amount is held in cents (BIGINT), never a
-- float; period is the month paid, 'YYYY-MM'; paid_on 'YYYY-MM-DD' is set
-- exactly when status is 'paid'. payment_id is the back office's own id:
-- writes are idempotent by it.
CREATE TABLE payments (
    payment_id TEXT PRIMARY KEY,
    person_id TEXT NOT NULL REFERENCES people (person_id),
    benefit TEXT NOT NULL,
    period TEXT NOT NULL,
    amount_cents BIGINT NOT NULL,
    status TEXT NOT NULL,
    paid_on TEXT,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);
CREATE INDEX payments_by_person ON payments (person_id, period);
