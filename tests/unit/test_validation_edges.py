"""Input checks on blank values: required means non-blank, not merely present."""

from __future__ import annotations

import pytest

from k2connect_ext._exceptions import K2InputError
from k2connect_ext._validation import validate_email, validate_text


@pytest.mark.parametrize("blank", ["", "   ", "\t\n"])
def test_blank_required_text_is_refused_as_missing(blank: str) -> None:
    """A required text that is only whitespace is "required", naming the field, not sent as empty."""
    with pytest.raises(K2InputError, match="note is required") as caught:
        validate_text(blank, "note", multiline=True)
    assert caught.value.field == "note"


def test_a_blank_required_email_is_refused_as_missing() -> None:
    """The same for an e-mail address that is required."""
    with pytest.raises(K2InputError, match="email is required"):
        validate_email("  ", required=True)
