"""``k2connect status`` (read a resource once) and ``k2connect wait`` (poll it until it is final)."""

from __future__ import annotations

import click

from k2connect_ext import parse_location

from ..flows import show_resource, wait_and_show
from ..options import json_option, location_argument, timeout_option
from ..state import CliState, open_k2, pass_state

__all__ = ["status", "wait"]


@click.command("status")
@location_argument
@json_option
@pass_state
def status(state: CliState, location: str) -> None:
    """Read the resource at LOCATION once and show its status, whatever it is.

    LOCATION is what a create printed (an absolute URL or an /api/v1|v2/... path). It is always read
    through --base-url: the token is never sent to the host named in LOCATION.
    """
    with open_k2(state) as k2:
        model = k2.get(location)
    show_resource(state, location, model)


@click.command("wait")
@location_argument
@timeout_option
@json_option
@pass_state
def wait(state: CliState, location: str, timeout: float) -> None:
    """Poll the resource at LOCATION until it is final; exit 1 if it failed, 7 on timeout."""
    ref = parse_location(location)
    wait_and_show(state, location, f"{ref.kind} {ref.id}", timeout)
