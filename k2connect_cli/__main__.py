"""``python -m k2connect_cli``: ``k2connect``, through the console script's own entry point (which says which
extra to install when click or rich is missing, rather than failing in a traceback)."""

from __future__ import annotations

from ._entry import main

__all__ = ["main"]

if __name__ == "__main__":
    main()
