"""The questions a first-time user typed into the app (issue #12) and what the answer must say:
the CLI's tests and the app's read the same list."""

FIRST_TIME_ANSWERS = [
    ("What happened in Hanoi?", "diplomatic failure at a subsequent summit in Hanoi"),
    ("When was the Singapore summit?", "summit in Singapore in June"),
    ("Who is Jennifer Staats?", "Jennifer Staats are members of its East and Southeast Asia"),
    # the catalogue record's author line, found since the answer sentences are reread
    ("Who wrote the report?", "Authors: Frank Aum, Jacob Stokes"),
    # a first-time user got the whole record as one run-on line: now the field asked for
    ("When was the report published?", "Published: February 2020"),
]
