"""``k2connect_ext.__version__``: the installed distribution's version, read once from its metadata.

Read here, on first use, not when ``k2connect_ext`` is imported: ``importlib.metadata`` costs about a tenth
of the SDK's import time. A source tree that was never installed (no metadata) reports ``0+unknown``
rather than a number it cannot know.
"""

from __future__ import annotations

from importlib import metadata

__all__ = ["DISTRIBUTION", "__version__"]

DISTRIBUTION = "k2connect-sdk"


def _installed() -> str:
    try:
        return metadata.version(DISTRIBUTION)
    except metadata.PackageNotFoundError:
        return "0+unknown"


__version__: str = _installed()
