"""Whole numbers typed by users, read strictly (pure; no Django).

`str.isdigit()` accepts "²" and other digits `int()` refuses, and `int()` itself accepts " 1_0 " and
numbers PostgreSQL's bigint cannot hold; ids and versions are ASCII digits within bigint or nothing.
"""

# The largest value of PostgreSQL's bigint, the type of every id.
LARGEST_ID = 2**63 - 1


def parse_whole_number(raw: str) -> int | None:
    """`raw` as a whole number ≥ 0 written in ASCII digits, at most LARGEST_ID; else None."""
    if not (raw.isascii() and raw.isdigit()) or len(raw) > 19:
        return None
    number = int(raw)
    return number if number <= LARGEST_ID else None
