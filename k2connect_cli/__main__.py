"""``python -m k2connect_cli`` and the ``k2connect`` console script."""

from __future__ import annotations

from .app import cli

__all__ = ["main"]


def main() -> None:
    """Run ``k2connect`` with ``sys.argv``; exits with the codes listed in ``k2connect --help``."""
    cli.main(prog_name="k2connect")


if __name__ == "__main__":
    main()
