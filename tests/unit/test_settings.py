"""Tests for k2connect_ext._settings: ``K2Options``, one list of options for ``K2``, ``AsyncK2``,
``connect()`` and ``async_connect()``; credentials from arguments or the environment; base URL rules.
"""

from __future__ import annotations

import inspect
import pydoc
import traceback
from collections.abc import Callable
from importlib import metadata
from typing import Any

import pytest

from k2connect_ext import K2, AsyncK2, K2Options, async_connect, connect
from k2connect_ext._constants import PRODUCTION_BASE_URL, SANDBOX_BASE_URL, TOKEN_SKEW_SECONDS
from k2connect_ext._docstrings import Docstring, entry_name
from k2connect_ext._exceptions import K2ConfigError
from k2connect_ext._settings import OPTION_DEFAULTS, K2Settings, resolve_options, takes_options, user_agent
from k2connect_ext.webhooks import compute_signature, verify_signature
from k2connect_ext.webhooks._signatures import webhook_keys
from tests.client_runner import CLIENT_ID, SECRET

BUILDERS: list[Callable[..., Any]] = [K2, AsyncK2, connect, async_connect]


@pytest.mark.parametrize("build", BUILDERS, ids=lambda b: b.__name__)
def test_a_misspelt_option_is_a_config_error(build: Callable[..., Any]) -> None:
    """An unknown option is a K2ConfigError naming it and the option it is close to, before any I/O; it
    leaves sealed, so no frame of the report holds the client secret the caller passed."""
    with pytest.raises(K2ConfigError, match="'base_uri' \\(did you mean 'base_url'\\?\\)") as info:
        build("id", "a-secret-9f", environ={}, base_uri="https://sandbox.kopokopo.com")
    shown = [
        repr(value)
        for frame, _ in traceback.walk_tb(info.value.__traceback__)
        for value in frame.f_locals.values()
    ]
    assert shown and not [text for text in shown if "a-secret-9f" in text]


def test_every_unknown_option_is_named() -> None:
    """Several unknown options are each named; one like no option gets no guess, and the list is given."""
    misspelt: Any = {"zzz": 1, "timout": 2}
    with pytest.raises(K2ConfigError) as info:
        resolve_options("id", "secret", misspelt)
    message = str(info.value)
    assert "'timout' (did you mean 'timeout'?), 'zzz':" in message
    assert "the options are api_key, base_url, clock," in message


def _option_parameters() -> list[tuple[str, Any, Any, Any]]:
    """What each option looks like in a signature: keyword-only, K2Options' annotation, its default."""
    defaults = dict(OPTION_DEFAULTS)
    return [
        (name, inspect.Parameter.KEYWORD_ONLY, defaults[name], annotation.__forward_arg__)
        for name, annotation in K2Options.__annotations__.items()
    ]


@pytest.mark.parametrize("build", BUILDERS, ids=lambda b: b.__name__)
def test_the_signature_shows_every_option_by_name(build: Callable[..., Any]) -> None:
    """``inspect.signature`` (what ``help()``, IPython and Jupyter show) lists each option of K2Options in
    its order, with its annotation and its default, after the builder's own parameters, and no ``**``."""
    parameters = list(inspect.signature(build).parameters.values())
    options = [
        (p.name, p.kind, p.default, p.annotation) for p in parameters[-len(K2Options.__annotations__) :]
    ]
    assert options == _option_parameters()
    assert all(p.kind is not inspect.Parameter.VAR_KEYWORD for p in parameters)
    assert not {p.name for p in parameters[: -len(options)]} & set(K2Options.__annotations__)


@pytest.mark.parametrize("build", BUILDERS, ids=lambda b: b.__name__)
def test_type_checkers_still_read_the_options_from_k2options(build: Callable[..., Any]) -> None:
    """The source keeps ``**options: Unpack[K2Options]``: what mypy and editors expand into typed keywords
    (a misspelt one is a type error: see tests/typing/check_public_api.py)."""
    function = vars(build)["__init__"] if isinstance(build, type) else build
    written = inspect.signature(inspect.unwrap(function), follow_wrapped=False)
    options = written.parameters["options"]
    assert (options.kind, options.annotation) == (inspect.Parameter.VAR_KEYWORD, "Unpack[K2Options]")


@pytest.mark.parametrize("build", BUILDERS, ids=lambda b: b.__name__)
def test_help_documents_every_option(build: Callable[..., Any]) -> None:
    """``help()`` shows each option in the signature and its description, from K2Options, under Args."""
    text = pydoc.render_doc(build, renderer=pydoc.TextDoc())
    for name, _, default, annotation in _option_parameters():
        assert f"{name}: {annotation!r} = {default!r}" in text
    documented = Docstring.parse(build.__doc__).entries("Args")
    for entry in Docstring.parse(K2Options.__doc__).entries("Attributes"):
        assert entry in documented
    assert "**options" not in map(entry_name, documented)


def test_the_defaults_are_the_ones_a_client_uses() -> None:
    """Every option has a default, and an option left out takes it."""
    assert set(OPTION_DEFAULTS) == set(K2Options.__annotations__)
    resolved = resolve_options("id", "secret", {"environ": {}})
    assert (resolved.token_skew, resolved.clock) == (TOKEN_SKEW_SECONDS, OPTION_DEFAULTS["clock"])


def test_takes_options_keeps_the_other_arguments_documented() -> None:
    """A function's own Args stay, in their order, before the options; a docstring without ``**options``
    gains them all the same."""

    def build(name: str, **options: Any) -> None:
        """Build.

        Args:
            name: the name.
        """

    takes_options(build)
    entries = Docstring.parse(build.__doc__).entries("Args")
    assert [entry_name(entry) for entry in entries] == ["name", *K2Options.__annotations__]
    assert list(inspect.signature(build).parameters) == ["name", *K2Options.__annotations__]


def test_options_apply_to_every_builder() -> None:
    """The same options dict builds every flavour, and each one honours it (here: base URL, API key)."""
    options: K2Options = {"base_url": "http://127.0.0.1:9", "api_key": "key", "environ": {}}
    sync_client, async_client = K2("id", "secret", **options), AsyncK2("id", "secret", **options)
    assert sync_client.settings.base_url == async_client.settings.base_url == "http://127.0.0.1:9"
    assert sync_client.api_key == async_client.api_key == "key"
    for generated in (connect("id", "secret", **options), async_connect("id", "secret", **options)):
        assert str(generated._base_url) == "http://127.0.0.1:9"
    sync_client.close()


def test_the_options_are_documented() -> None:
    """Every option has a line in K2Options' docstring, and none is required."""
    doc = K2Options.__doc__ or ""
    for name in K2Options.__annotations__:
        assert f"        {name}:" in doc, name
    assert K2Options.__required_keys__ == frozenset()


def test_checked_keys_never_show_themselves() -> None:
    """Checked keys say how many there are, never what they are, and verify as the keys do."""
    keys = webhook_keys(["new-key-3a", "old-key-9b"])
    assert repr(keys) == "WebhookKeys(2 keys)"
    assert repr(webhook_keys("only-key-4c")) == "WebhookKeys(1 key)"
    body = b'{"topic": "x"}'
    verify_signature(body, compute_signature(body, "old-key-9b"), keys)


# ---------------------------------------------------------------------------------- settings
def test_settings_from_arguments() -> None:
    """Arguments give every setting; the base URL defaults to the sandbox."""
    settings = K2Settings.resolve(CLIENT_ID, SECRET, api_key="api-key", environ={})
    assert (settings.client_id, settings.client_secret, settings.api_key) == (CLIENT_ID, SECRET, "api-key")
    assert settings.base_url == SANDBOX_BASE_URL == "https://sandbox.kopokopo.com"


def test_settings_from_an_environ_mapping() -> None:
    """Every K2_* variable is read from the mapping given."""
    environ = {
        "K2_CLIENT_ID": "env-id",
        "K2_CLIENT_SECRET": "env-secret",
        "K2_API_KEY": "env-key",
        "K2_BASE_URL": PRODUCTION_BASE_URL + "/",
    }
    settings = K2Settings.resolve(environ=environ)
    assert settings == K2Settings("env-id", "env-secret", PRODUCTION_BASE_URL, "env-key")


def test_arguments_win_over_the_environment() -> None:
    """An argument overrides its environment variable."""
    environ = {
        "K2_CLIENT_ID": "env-id",
        "K2_CLIENT_SECRET": "env-secret",
        "K2_BASE_URL": "https://env.example",
    }
    settings = K2Settings.resolve("arg-id", base_url="https://arg.example", environ=environ)
    assert (settings.client_id, settings.client_secret, settings.base_url) == (
        "arg-id",
        "env-secret",
        "https://arg.example",
    )


def test_settings_from_the_process_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    """Without an environ mapping, os.environ is read."""
    monkeypatch.setenv("K2_CLIENT_ID", "os-id")
    monkeypatch.setenv("K2_CLIENT_SECRET", "os-secret")
    monkeypatch.delenv("K2_BASE_URL", raising=False)
    monkeypatch.setenv("K2_API_KEY", "")
    settings = K2Settings.resolve()
    assert (settings.client_id, settings.client_secret, settings.api_key) == ("os-id", "os-secret", None)


@pytest.mark.parametrize(
    ("environ", "missing", "present"),
    [
        ({}, ["client_id (K2_CLIENT_ID)", "client_secret (K2_CLIENT_SECRET)"], []),
        ({"K2_CLIENT_ID": "x"}, ["client_secret (K2_CLIENT_SECRET)"], ["client_id"]),
        ({"K2_CLIENT_SECRET": "x", "K2_CLIENT_ID": ""}, ["client_id (K2_CLIENT_ID)"], ["client_secret"]),
    ],
)
def test_missing_credentials_name_what_is_missing(
    environ: dict[str, str], missing: list[str], present: list[str]
) -> None:
    """K2ConfigError names each missing credential and its variable, and only those."""
    for build in (K2Settings.resolve, connect, async_connect, K2, AsyncK2):
        with pytest.raises(K2ConfigError) as info:
            build(environ=environ)
        for name in missing:
            assert name in str(info.value)
        for name in present:
            assert name not in str(info.value)


@pytest.mark.parametrize(
    "url",
    [
        "http://sandbox.kopokopo.com",
        "http://10.0.0.1:8000",
        "http://localhost.evil.example",
        "http://127.example.com",
        # *.localhost names are looked up through DNS like any other: the secret would travel in clear.
        "http://evil.localhost",
        "http://k2.localhost:8000",
        "ftp://sandbox.kopokopo.com",
        "sandbox.kopokopo.com",
        "https://",
        "https://sandbox.kopokopo.com/?x=1",
        "https://sandbox.kopokopo.com/#frag",
    ],
)
def test_insecure_or_malformed_base_url_is_refused(url: str) -> None:
    """Plain http off loopback, other schemes, no host, or a query/fragment are configuration errors."""
    with pytest.raises(K2ConfigError):
        K2Settings.resolve(CLIENT_ID, SECRET, base_url=url, environ={})


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("http://127.0.0.1:8000", "http://127.0.0.1:8000"),
        ("http://127.5.5.5", "http://127.5.5.5"),
        ("http://localhost:8000/", "http://localhost:8000"),
        ("http://[::1]:8000", "http://[::1]:8000"),
        (" https://api.kopokopo.com/ ", "https://api.kopokopo.com"),
        ("https://k2.example/prefix/", "https://k2.example/prefix"),
    ],
)
def test_loopback_http_and_any_https_base_url_are_allowed(url: str, expected: str) -> None:
    """http is fine to loopback hosts; the base URL is stripped of spaces and a trailing slash."""
    assert K2Settings.resolve(CLIENT_ID, SECRET, base_url=url, environ={}).base_url == expected


def test_settings_repr_hides_credentials() -> None:
    """K2Settings' repr shows the base URL only."""
    text = repr(K2Settings.resolve(CLIENT_ID, SECRET, api_key="api-key-9", environ={}))
    assert SANDBOX_BASE_URL in text
    for secret in (CLIENT_ID, SECRET, "api-key-9"):
        assert secret not in text


def test_user_agent_names_the_sdk_and_version() -> None:
    """The User-Agent is k2connect-sdk-python/<installed version>, distinct from Kopo Kopo's own SDK."""
    assert user_agent().startswith(f"k2connect-sdk-python/{metadata.version('k2connect-sdk')} ")
    assert "Kopokopo-Python-SDK" not in user_agent()
