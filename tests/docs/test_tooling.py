"""The site's tooling: its MkDocs hooks and griffe extensions (docs/_tooling/)."""

from __future__ import annotations

from pathlib import Path

import griffe
import pytest
from mkdocs.structure.files import File, Files

from tests.docs.tooling import griffe_k2, hooks


@pytest.fixture
def files(tmp_path: Path) -> Files:
    return Files(
        [
            File(name, str(tmp_path), str(tmp_path / "site"), True)
            for name in ("README.md", "CHANGELOG.md", "reference/client.md")
        ]
    )


def unlink(markdown: str, files: Files, page: str = "README.md") -> str:
    text: str = hooks().unlink_repository_files(markdown, page, files)
    return text


def test_a_link_to_a_page_stays(files: Files) -> None:
    assert unlink("see [the changes](CHANGELOG.md#added)", files) == "see [the changes](CHANGELOG.md#added)"
    assert unlink("[up](../README.md)", files, "reference/client.md") == "[up](../README.md)"


def test_a_link_to_a_repository_file_becomes_its_path(files: Files) -> None:
    assert (
        unlink("read [the examples](examples/README.md).", files)
        == "read the examples (`examples/README.md`)."
    )
    assert unlink("[`BENCHMARKS.md`](BENCHMARKS.md)", files) == "`BENCHMARKS.md`"
    assert unlink("![chart](bench/benchmarks.png)", files) == "chart (`bench/benchmarks.png`)"


def test_external_links_and_anchors_stay(files: Files) -> None:
    for markdown in ("[K2](https://kopokopo.com)", "[errors](#errors)", "[mail](mailto:a@b.c)"):
        assert unlink(markdown, files) == markdown


def test_code_is_never_rewritten(files: Files) -> None:
    fenced = "```python\nhandlers[kind](event)\n```\n[x](y.md)"
    assert unlink(fenced, files) == "```python\nhandlers[kind](event)\n```\nx (`y.md`)"
    assert unlink("`handlers[kind](event)` and [x](y.md)", files) == "`handlers[kind](event)` and x (`y.md`)"


def test_text_of_renders_a_string_constant() -> None:
    assert hooks().text_of("k2connect_cli.exit_codes", "EXIT_CODES_EPILOG").startswith("```text\nExit codes:")
    with pytest.raises(TypeError):
        hooks().text_of("k2connect_cli.exit_codes", "__all__")


def test_the_error_tree_is_the_drawing_of_the_exceptions_module() -> None:
    tree: str = hooks().error_tree()
    assert tree.startswith("K2Error\n") and "K2IntentConflictError" in tree


@pytest.fixture
def loaded(tmp_path: Path) -> tuple[griffe.Object, griffe.GriffeLoader]:
    """A function of a small package read by griffe, and its loader: the scope roles are resolved in."""
    (tmp_path / "pkgx").mkdir()
    (tmp_path / "pkgx" / "__init__.py").write_text(
        "from pkgx._impl import Ledger as Ledger\n", encoding="utf-8"
    )
    (tmp_path / "pkgx" / "_impl.py").write_text(
        'class Ledger:\n    """A ledger."""\n\n    def get(self) -> None:\n        """Read."""\n\n\n'
        'def use() -> None:\n    """Roles."""\n',
        encoding="utf-8",
    )
    loader = griffe.GriffeLoader(search_paths=[str(tmp_path)])
    loader.load("pkgx")
    loader.resolve_aliases(implicit=False, external=False)
    owner = loader.modules_collection.get_member("pkgx._impl.use")
    assert isinstance(owner, griffe.Function)
    return owner, loader


def markdown(docstring: str, loaded: tuple[griffe.Object, griffe.GriffeLoader]) -> str:
    text: str = griffe_k2().markdown_of(docstring, *loaded)
    return text


def test_a_role_becomes_code_linked_to_what_it_names(
    loaded: tuple[griffe.Object, griffe.GriffeLoader],
) -> None:
    linked = '<autoref identifier="pkgx._impl.Ledger" optional><code>Ledger</code></autoref>'
    assert markdown("a :class:`Ledger`.", loaded) == f"a {linked}."
    method = '<autoref identifier="pkgx._impl.Ledger.get" optional><code>get()</code></autoref>'
    assert markdown(":meth:`~pkgx.Ledger.get`", loaded) == method


def test_a_role_griffe_cannot_resolve_is_plain_code(
    loaded: tuple[griffe.Object, griffe.GriffeLoader],
) -> None:
    assert markdown(":func:`nowhere`", loaded) == "<code>nowhere()</code>"
    assert markdown(":mod:`k2connect_ext._call`", loaded) == "<code>k2connect_ext._call</code>"


def test_an_rst_literal_block_marker_becomes_a_colon(
    loaded: tuple[griffe.Object, griffe.GriffeLoader],
) -> None:
    assert markdown("Starlette::\n\n    app = Starlette()", loaded) == "Starlette:\n\n    app = Starlette()"
