"""Codici fiscali for the benchmark's synthetic data: the same check
character and the same synthetic people as crates/attesta-domain
(fiscal_code.rs) and crates/attesta-app/src/seed.rs (birthplace Z999, which
no comune has)."""

ODD_VALUES = [1, 0, 5, 7, 9, 13, 15, 17, 19, 21, 2, 4, 18, 20, 11, 3, 6, 8, 12, 14, 16, 10, 22, 25, 24, 23]
MONTH_LETTERS = "ABCDEHLMPRST"


def check_character(first15: str) -> str:
    total = 0
    for i, c in enumerate(first15):
        index = ord(c) - ord("0") if c.isdigit() else ord(c) - ord("A")
        total += ODD_VALUES[index] if i % 2 == 0 else index
    return chr(ord("A") + total % 26)


def with_check_character(first15: str) -> str:
    first15 = first15.upper()
    assert len(first15) == 15, first15
    return first15 + check_character(first15)


def synthetic(index: int) -> dict:
    """Person `index`, as `attesta seed` makes it."""
    letters = []
    n = index
    for _ in range(6):
        letters.append(chr(ord("A") + n % 26))
        n //= 26
    letters = "".join(reversed(letters))
    year = 1940 + index % 60
    month = (index // 60) % 12
    day = 1 + (index // 720) % 28
    female = index % 2 == 1
    code_day = day + 40 if female else day
    first15 = f"{letters}{year % 100:02}{MONTH_LETTERS[month]}{code_day:02}Z999"
    return {
        "fiscal_code": with_check_character(first15),
        "birth_date": f"{year:04}-{month + 1:02}-{day:02}",
        "female": female,
    }
