"""A minimal client of a running k2connect sandbox's control API (``/sandbox/...``; no token needed)."""

from __future__ import annotations

from typing import Any

import httpx

from .exit_codes import ExitCode
from .failures import CliError

__all__ = ["control_post"]


def _error_text(response: httpx.Response) -> str:
    try:
        body = response.json()
    except ValueError:
        return response.reason_phrase
    if isinstance(body, dict) and isinstance(body.get("error_message"), str):
        return str(body["error_message"])
    return response.reason_phrase


def control_post(base_url: str | None, path: str, body: dict[str, Any], *, timeout: float) -> dict[str, Any]:
    """POST ``body`` to ``base_url + path``; the JSON answer, or a ``CliError`` with its exit code."""
    if not base_url:
        raise CliError(
            ExitCode.CONFIG,
            "configuration: sandbox simulate needs --base-url (or K2_BASE_URL) naming a running k2connect "
            "sandbox (start one with: k2connect sandbox serve)",
        )
    url = base_url.rstrip("/") + path
    try:
        with httpx.Client(timeout=timeout, trust_env=False) as client:
            response = client.post(url, json={k: v for k, v in body.items() if v is not None})
    except httpx.TransportError as exc:
        raise CliError(
            ExitCode.UNAVAILABLE, f"could not reach the sandbox: {type(exc).__name__}: {exc} (POST {url})"
        ) from None
    if response.status_code >= 400:
        code = ExitCode.API if response.status_code < 500 else ExitCode.UNAVAILABLE
        raise CliError(
            code,
            f"the sandbox answered {response.status_code}: {_error_text(response)} (POST {url})",
            status_code=response.status_code,
        )
    try:
        answer = response.json()
    except ValueError:
        answer = None
    if not isinstance(answer, dict):
        raise CliError(
            ExitCode.UNAVAILABLE, f"the sandbox answered {url} with a body that is not a JSON object"
        )
    return answer
