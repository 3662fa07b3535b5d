"""A value from K2 cannot drive the terminal: control characters are shown escaped, never sent as they are."""

from __future__ import annotations

import pytest

from k2connect_cli.output import to_text


@pytest.mark.parametrize(
    ("value", "shown"),
    [
        ("Duka\x1b[2J\x1b]0;pwned\x07 Ltd", "Duka\\x1b[2J\\x1b]0;pwned\\x07 Ltd"),
        ("back\x08space\x7f", "back\\x08space\\x7f"),
        ("c1\x9bcontrol", "c1\\x9bcontrol"),
        ("two\nlines\tand a tab", "two\nlines\tand a tab"),
        ("Ksh 1,000 — Jane Wanjiru", "Ksh 1,000 — Jane Wanjiru"),
    ],
)
def test_control_characters_are_escaped(value: str, shown: str) -> None:
    assert to_text(value) == shown
