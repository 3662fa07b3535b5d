"""``outcomes`` on odd input: whatever a body or a caller holds, the answer is a state, never an error."""

from __future__ import annotations

from typing import Any

import pytest

from k2connect_ext._outcomes import State, outcome_of, state_of, status_of


def link_body(link: object, status: str = "Processed") -> dict[str, Any]:
    return {"data": {"attributes": {"status": status, "payment_link": link}}}


@pytest.mark.parametrize("link", [{}, {"status": None}, {"status": 3}, {"payment_link_status": ["Paid"]}])
def test_a_payment_link_without_its_own_status_falls_back_to_the_outer_one(link: object) -> None:
    """A link whose own status is missing or not text is judged by the outer status ("Processed": the
    link exists), so it stays pending rather than passing as paid or failing on the odd value."""
    assert status_of("payment_link", link_body(link)) == "Processed"
    assert outcome_of("payment_link", link_body(link)).state is State.PENDING


@pytest.mark.parametrize("kind", [None, 42, ("payment",)])
def test_a_kind_that_is_not_a_string_is_pending(kind: Any) -> None:
    """A caller's mistake in ``kind`` reads as an unknown kind (pending), not a TypeError."""
    assert state_of(kind, "Success") is State.PENDING
