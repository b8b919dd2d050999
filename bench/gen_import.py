#!/usr/bin/env python3
"""Synthetic import files for `attesta import` benchmarks (issue #15).

    python3 bench/gen_import.py people  --rows 1000000 --format jsonl -o people.jsonl
    python3 bench/gen_import.py verbali --rows 1000000 --format csv   -o verbali.csv

Person i has the codice fiscale `attesta seed` gives person i (six letters
from i in base 26, birthplace Z999, check character computed), so a people
file imports the people a verbali file of the same --rows needs; verbale i
belongs to person i // --per-person. Every row is valid; the values vary
(codes 01-12 with their percentages, findings assessed or not, revisions,
non-definitive verbali) so validation and the status do real work.
Deterministic: the same arguments write the same file. Standard library only.
"""

import argparse
import csv
import json
import sys

ODD = {
    **dict(zip("0123456789", [1, 0, 5, 7, 9, 13, 15, 17, 19, 21])),
    **dict(zip("ABCDEFGHIJKLMNOPQRSTUVWXYZ",
               [1, 0, 5, 7, 9, 13, 15, 17, 19, 21, 2, 4, 18, 20, 11, 3, 6, 8,
                12, 14, 16, 10, 22, 25, 24, 23])),
}
EVEN = {**{d: int(d) for d in "0123456789"},
        **{c: i for i, c in enumerate("ABCDEFGHIJKLMNOPQRSTUVWXYZ")}}
MONTH_LETTERS = "ABCDEHLMPRST"
GIVEN = ["Mario", "Giulia", "Luca", "Francesca", "Marco", "Chiara", "Andrea", "Sara",
         "Giuseppe", "Anna", "Paolo", "Elena", "Stefano", "Laura", "Davide", "Marta"]
FAMILY = ["Rossi", "Russo", "Ferrari", "Esposito", "Bianchi", "Romano", "Colombo",
          "Ricci", "Marino", "Greco", "Bruno", "Gallo", "Conti", "De Luca", "Costa",
          "Giordano"]
PEOPLE_COLUMNS = ["fiscal_code", "given_name", "family_name", "birth_date", "email", "mobile"]
VERBALI_COLUMNS = [
    "verbale_id", "fiscal_code", "kind", "session_date", "definitive", "source",
    "invalidity_code", "invalidity_percentage", "accompaniment", "blindness", "deafness",
    "handicap", "art21", "law68_disability", "dl5_2012_art4", "revision_due",
    "revision_exempt", "revision_none", "judgement",
]
KINDS = ["first_instance", "aggravation", "revision", "extraordinary_check"]
SOURCES = ["telematic", "telematic", "telematic", "paper_pre2010", "autonomous_region", "court"]
PERCENTAGE = {1: 20, 2: 50, 3: 80, 4: 100, 5: 100, 6: 100}


def check_character(first15):
    total = sum((ODD if i % 2 == 0 else EVEN)[c] for i, c in enumerate(first15))
    return chr(ord("A") + total % 26)


def person(i):
    """The same person `attesta seed` makes as number i (crates/attesta-app/src/seed.rs)."""
    letters, n = [], i
    for _ in range(6):
        letters.append(chr(ord("A") + n % 26))
        n //= 26
    letters = "".join(reversed(letters))
    year = 1940 + i % 60
    month = (i // 60) % 12
    day = 1 + (i // 720) % 28
    female = i % 2 == 1
    first15 = f"{letters}{year % 100:02}{MONTH_LETTERS[month]}{day + 40 if female else day:02}Z999"
    given = (1 if female else 0) + 2 * ((i // 2) % 8)
    return {
        "fiscal_code": first15 + check_character(first15),
        "given_name": GIVEN[given],
        "family_name": FAMILY[(i // 16) % 16],
        "birth_date": f"{year:04}-{month + 1:02}-{day:02}",
        "email": f"persona{i}@example.it" if i % 3 else None,
        "mobile": f"+393{i % 1_000_000_000:09}" if i % 4 else None,
    }


def verbale(i, per_person):
    who = person(i // per_person)
    code = 1 + i % 12
    row = {
        "verbale_id": f"BENCH-{i:09}",
        "fiscal_code": who["fiscal_code"],
        "kind": KINDS[(i // 12) % len(KINDS)],
        "session_date": f"{2010 + i % 15:04}-{1 + i % 12:02}-{1 + i % 28:02}",
        "definitive": i % 10 != 9,
        "source": SOURCES[i % len(SOURCES)],
        "invalidity_code": f"{code:02}",
    }
    if code in PERCENTAGE:
        row["invalidity_percentage"] = PERCENTAGE[code]
    if i % 5 != 4:
        row["handicap"] = ["none", "art3_c1", "art3_c3"][i % 3]
        row["art21"] = i % 7 == 0
    if i % 4 == 0:
        row["law68_disability"] = True
        row["dl5_2012_art4"] = False
    row["revision"] = [{"due": f"{2027 + i % 5}-{1 + i % 12:02}"}, {"exempt": True},
                       {"none": True}][i % 3]
    if i % 2 == 0:
        row["judgement"] = (f"Verbale sintetico n. {i} per le prove di carico: "
                            "riduzione permanente della capacità lavorativa.")
    return row


def csv_cells(row, columns):
    out = []
    for column in columns:
        if column.startswith("revision_"):
            revision = row.get("revision") or {}
            value = {"revision_due": revision.get("due"),
                     "revision_exempt": revision.get("exempt"),
                     "revision_none": revision.get("none")}[column]
        else:
            value = row.get(column)
        if value is None:
            out.append("")
        elif isinstance(value, bool):
            out.append("true" if value else "false")
        else:
            out.append(str(value))
    return out


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("kind", choices=["people", "verbali"])
    parser.add_argument("--rows", type=int, required=True)
    parser.add_argument("--format", choices=["jsonl", "csv"], default="jsonl")
    parser.add_argument("--per-person", type=int, default=1,
                        help="verbali per person (verbali files only; default 1)")
    parser.add_argument("--start", type=int, default=0, help="index of the first row")
    parser.add_argument("-o", "--output", help="the file (default standard output)")
    args = parser.parse_args()
    out = open(args.output, "w", encoding="utf-8", newline="") if args.output else sys.stdout
    make = person if args.kind == "people" else (lambda i: verbale(i, args.per_person))
    columns = PEOPLE_COLUMNS if args.kind == "people" else VERBALI_COLUMNS
    rows = range(args.start, args.start + args.rows)
    if args.format == "jsonl":
        dumps = json.JSONEncoder(ensure_ascii=False).encode
        out.writelines(dumps({k: v for k, v in make(i).items() if v is not None}) + "\n"
                       for i in rows)
    else:
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow(columns)
        writer.writerows(csv_cells(make(i), columns) for i in rows)
    out.close()


if __name__ == "__main__":
    main()
