"""Filter bounds are checked when a filter is made, with a message saying what is accepted."""

from __future__ import annotations

import pytest

from rag.errors import RagError
from rag.retrieval.filters import Filters, date_bounds


@pytest.mark.parametrize("value", ["2020-13", "2020-02-30", "yesterday", "20-02", "2020/02"])
def test_a_date_bound_that_is_not_a_date_is_refused_with_the_forms_accepted(value: str) -> None:
    with pytest.raises(RagError, match="YYYY, YYYY-MM or YYYY-MM-DD"):
        Filters(date_from=value)


def test_dates_of_any_precision_cover_their_whole_span() -> None:
    assert Filters(date_from="2020", date_to="2024-02").date_to == "2024-02"
    assert date_bounds("2024-02") == ("2024-02-01", "2024-02-29")
    assert date_bounds("2020-02-13") == ("2020-02-13", "2020-02-13")
