"""Fixtures for the example apps' tests: the sandbox plugin's ``k2_sandbox`` (real loopback HTTP).

The plugin's fixtures are imported rather than enabled with
``pytest_plugins = ["k2connect_sandbox.testing"]``: pytest refuses ``pytest_plugins`` outside the rootdir's
conftest, and this directory is not the root. In a project of your own, put that line in the top-level
conftest.py instead.
"""

from __future__ import annotations

from k2connect_sandbox.testing import k2_sandbox, k2_sandbox_config, k2_sandbox_server

__all__ = ["k2_sandbox", "k2_sandbox_config", "k2_sandbox_server"]
