"""Filter bounds are checked when a filter is made, with a message saying what is accepted."""

from __future__ import annotations

import pytest

from rag.errors import RagError
from rag.retrieval.filters import Filters, check_order, date_bounds


@pytest.mark.parametrize("value", ["2020-13", "2020-02-30", "yesterday", "20-02", "2020/02"])
def test_a_date_bound_that_is_not_a_date_is_refused_with_the_forms_accepted(value: str) -> None:
    with pytest.raises(RagError, match="YYYY, YYYY-MM or YYYY-MM-DD"):
        Filters(date_from=value)


def test_dates_of_any_precision_cover_their_whole_span() -> None:
    assert Filters(date_from="2020", date_to="2024-02").date_to == "2024-02"
    assert date_bounds("2024-02") == ("2024-02-01", "2024-02-29")
    assert date_bounds("2020-02-13") == ("2020-02-13", "2020-02-13")


@pytest.mark.parametrize(("date_from", "date_to", "refused"), [
    ("2021-01", "2020", True), ("2020-02", "2020", False), ("2020", "2020-01", False),
    ("2020-02-14", "2020-02-13", True), (None, "2020", False)])
def test_a_range_that_ends_before_it_starts_is_refused(
        date_from: str | None, date_to: str | None, refused: bool) -> None:
    if refused:
        with pytest.raises(RagError, match="wrong way round"):
            check_order(date_from, date_to)
    else:
        check_order(date_from, date_to)
