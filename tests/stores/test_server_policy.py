"""A test that cannot get its server skips loudly on a developer's machine and fails in CI."""

from __future__ import annotations

import pytest

from tests.servers import REQUIRE_SERVERS, unavailable


def test_without_the_ci_variable_a_missing_server_skips(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(REQUIRE_SERVERS, raising=False)
    with pytest.raises(pytest.skip.Exception, match="SKIPPED FOR WANT OF A SERVER: no redis"):
        unavailable("no redis")


def test_with_the_ci_variable_a_missing_server_fails(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(REQUIRE_SERVERS, "1")
    with pytest.raises(pytest.fail.Exception, match="no redis"):
        unavailable("no redis")
