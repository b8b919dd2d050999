#!/usr/bin/env python3
"""The limit of the import benchmark (issue #15 row 4): a bare load of the
same JSON Lines file into the same tables, with nothing of attesta's
validation or status: parse each line with Python's `json`, insert the row
(same columns and indexes: the database is made by attesta's migrations)
with `sqlite3.executemany` in 50,000-row transactions, WAL and
synchronous=NORMAL as attesta's SQLite store. A verbale's person is found
with the same indexed lookup by codice fiscale, inside the INSERT.

    bare_import.py DB people.jsonl|verbali.jsonl

Prints one JSON object: {"rows": N, "seconds": S, "per_second": R}.
"""

import json
import sqlite3
import sys
import time

BATCH = 50_000


def person_row(i, o, now):
    return (f"bench-{i:012}", o["fiscal_code"], o["given_name"], o["family_name"],
            o["birth_date"], o.get("email"), o.get("mobile"), now, now)


def verbale_row(i, o, now):
    return (o["verbale_id"], o["session_date"], 1 if o["definitive"] else 0,
            json.dumps(o, separators=(",", ":")), now, now, o["fiscal_code"])


PEOPLE = ("INSERT INTO people (person_id, fiscal_code, given_name, family_name, birth_date,"
          " email, mobile, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)")
VERBALI = ("INSERT INTO verbali (verbale_id, person_id, seq, session_date, definitive, body,"
           " ingested_at, updated_at) SELECT ?, person_id, 1, ?, ?, ?, ?, ? FROM people"
           " WHERE fiscal_code = ?")


def main() -> int:
    db, path = sys.argv[1], sys.argv[2]
    con = sqlite3.connect(db, isolation_level=None)
    con.execute("PRAGMA journal_mode = WAL")
    con.execute("PRAGMA synchronous = NORMAL")
    now = int(time.time() * 1000)
    start = time.perf_counter()
    rows = 0
    sql = row = None
    batch = []

    def flush():
        con.execute("BEGIN")
        con.executemany(sql, batch)
        con.execute("COMMIT")
        batch.clear()

    with open(path, encoding="utf-8") as f:
        for line in f:
            o = json.loads(line)
            if row is None:
                sql, row = (VERBALI, verbale_row) if "verbale_id" in o else (PEOPLE, person_row)
            batch.append(row(rows, o, now))
            rows += 1
            if len(batch) >= BATCH:
                flush()
    if batch:
        flush()
    elapsed = time.perf_counter() - start
    print(json.dumps({"rows": rows, "seconds": elapsed, "per_second": rows / elapsed}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
