"""Tests for k2connect_ext._docstrings: Google-style docstrings read into sections and written back."""

from __future__ import annotations

from k2connect_ext._docstrings import Docstring, entry_name

WRITTEN = """Pay someone.

    More about it.

    Args:
        amount: the sum,
            in shillings.

            Never zero.
        phone: the number.

    Returns:
        The handle.
    """


def test_a_docstring_is_read_as_written_in_a_function() -> None:
    """The text, then each section's entries, continuation lines (and a blank line) kept with their entry."""
    doc = Docstring.parse(WRITTEN)
    assert doc.text == "Pay someone.\n\nMore about it."
    assert doc.entries("Args") == (
        "amount: the sum,\n    in shillings.\n\n    Never zero.",
        "phone: the number.",
    )
    assert doc.entries("Returns") == ("The handle.",)
    assert doc.entries("Raises") == ()


def test_rendering_gives_back_what_was_read() -> None:
    """Rendered and read again, a docstring is the same docstring."""
    doc = Docstring.parse(WRITTEN)
    assert Docstring.parse(doc.render()) == doc
    assert doc.render().startswith(
        "Pay someone.\n\nMore about it.\n\nArgs:\n    amount: the sum,\n        in"
    )


def test_a_section_is_replaced_in_place_or_added_in_order() -> None:
    """Replacing keeps the section's place; a new one goes where Google style puts it; none removes it."""
    doc = Docstring.parse(WRITTEN).with_section("Args", ["phone: the number."])
    assert [title for title, _ in doc.sections] == ["Args", "Returns"]
    doc = doc.with_section("Raises", ["K2InputError: bad."]).with_section("Other Parameters", ["x: y."])
    assert [title for title, _ in doc.sections] == ["Args", "Other Parameters", "Returns", "Raises"]
    assert [title for title, _ in doc.with_section("Returns", []).sections] == [
        "Args",
        "Other Parameters",
        "Raises",
    ]


def test_no_docstring_is_an_empty_one() -> None:
    """An object without a docstring reads as no text and no section; sections alone render alone."""
    assert Docstring.parse(None) == Docstring("")
    assert (
        Docstring.parse(None).with_section("Returns", ["Nothing much."]).render()
        == "Returns:\n    Nothing much.\n"
    )


def test_an_entry_names_what_comes_before_its_colon() -> None:
    """A parameter's entry names it; a starred one keeps its stars."""
    assert entry_name("amount: the sum: in KES") == "amount"
    assert entry_name("**options: the rest") == "**options"
