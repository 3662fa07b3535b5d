"""The call context: one deadline per user-level call, shared by every request made on the way."""

from __future__ import annotations

from k2connect_ext import _call


def test_a_request_made_during_a_bounded_call_shares_its_deadline() -> None:
    """The first client request of a call starts its clock; a request made on the way (a token fetch, a
    401 replay) gets the same call and deadline, neither a fresh one nor its own shorter total."""
    with _call.scope("stk_push"), _call.bound(30.0) as outer:
        deadline = outer.deadline
        with _call.bound(0.001) as inner:
            assert inner is outer
            assert inner.deadline == deadline


def test_a_client_total_only_shortens_the_callers_deadline() -> None:
    """A call the user bounded with ``timeout`` keeps that deadline when the client's total is longer, and
    the client's total applies once."""
    with _call.scope("stk_push", timeout=5.0) as call:
        deadline = call.deadline
        with _call.bound(60.0) as bounded:
            assert bounded is call and bounded.deadline == deadline and bounded.bounded


def test_a_request_outside_any_call_is_a_call_of_its_own() -> None:
    """A client used directly (no facade call around it) bounds the request by its own total, in a call
    that ends with the request."""
    assert _call.current() is None
    with _call.bound(5.0) as call:
        assert _call.current() is call
        assert call.bounded and call.deadline is not None
    assert _call.current() is None
