#!/usr/bin/env python3
"""Writes the files of the import benchmark (issue #15 row 4): N people and
one verbale for each of them, as JSON Lines valid for `attesta import`
(docs/import.md): valid codici fiscali with their check character (the
synthetic people of `attesta seed`, birthplace Z999), names from the
embedded fonts' alphabet, E.164 mobiles, and definitive verbali with
consistent code and percentage.

    gen_import.py --people 1000000 --out DIR   # DIR/people.jsonl, DIR/verbali.jsonl
"""

import argparse
import json
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from fiscal_code import synthetic  # noqa: E402

GIVEN_M = ["Mario", "Luca", "Marco", "Andrea", "Giuseppe", "Paolo", "Stefano", "Davide"]
GIVEN_F = ["Giulia", "Francesca", "Chiara", "Sara", "Anna", "Elena", "Laura", "Marta"]
FAMILY = ["Rossi", "Russo", "Ferrari", "Esposito", "Bianchi", "Romano", "Colombo", "Ricci",
          "Marino", "Greco", "Bruno", "Gallo", "Conti", "De Luca", "Costa", "D'Angelo"]
# (invalidity_code, lowest percentage, highest) — docs/import.md's ranges.
CODES = [("01", 0, 33), ("02", 34, 73), ("03", 74, 99), ("04", 100, 100)]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--people", type=int, required=True)
    parser.add_argument("--out", required=True)
    args = parser.parse_args()
    os.makedirs(args.out, exist_ok=True)
    dumps = json.JSONEncoder(ensure_ascii=False, separators=(",", ":")).encode
    with open(os.path.join(args.out, "people.jsonl"), "w", encoding="utf-8") as people, open(
        os.path.join(args.out, "verbali.jsonl"), "w", encoding="utf-8"
    ) as verbali:
        for i in range(args.people):
            s = synthetic(i)
            given = (GIVEN_F if s["female"] else GIVEN_M)[(i // 2) % 8]
            people.write(dumps({
                "fiscal_code": s["fiscal_code"],
                "given_name": given,
                "family_name": FAMILY[(i // 16) % 16],
                "birth_date": s["birth_date"],
                "mobile": f"+393{i % 1_000_000_000:09}",
            }) + "\n")
            code, low, high = CODES[i % len(CODES)]
            verbali.write(dumps({
                "verbale_id": f"BENCH-{i:09}",
                "fiscal_code": s["fiscal_code"],
                "kind": "first_instance",
                "session_date": f"20{10 + i % 15:02}-{1 + i % 12:02}-{1 + i % 28:02}",
                "definitive": True,
                "source": "telematic",
                "invalidity_code": code,
                "invalidity_percentage": low + i % (high - low + 1),
                "accompaniment": False,
                "blindness": "none",
                "deafness": False,
                "handicap": "art3_c3" if i % 5 == 0 else "none",
                "art21": False,
                "law68_disability": i % 3 == 0,
                "dl5_2012_art4": False,
                "revision": {"due": f"20{27 + i % 5}-{1 + i % 12:02}"} if i % 2 else {"none": True},
                "judgement": "Verbale sintetico del benchmark di importazione.",
            }) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
