"""Where the shared K2 sample payloads live, and which spec schema each one belongs to.

The fixtures are Kopo Kopo's own SDK test data. They sit beside the repository (``../shared/k2-fixtures``,
relative to the repository root) and are never copied into it. This module is the one place that finds
them: every test reads them through ``FIXTURES_DIR`` and asks ``fixtures_present()`` (or uses
``fixture_params``, ``payload_files``, ``signature_files``, ``missing_fixtures``).

On a user's clone the folder is absent and the tests that need it are skipped with ``SKIP_REASON``. CI has
the folder beside its clone and sets ``K2_REQUIRE_SERVERS=1`` (``.ci/run``), which turns that skip into a
failure, as it does for a missing server (tests/servers.py): CI never passes by skipping them.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any, NoReturn

import pytest

from tests.servers import REQUIRE_SERVERS

REPO_ROOT = Path(__file__).resolve().parents[1]
SPEC_PATH = REPO_ROOT / "openapi" / "k2connect.yaml"
FIXTURES_DIR = REPO_ROOT.parent / "shared" / "k2-fixtures"
_ABSENT = f"K2 sample payloads not present at {FIXTURES_DIR}"
SKIP_REASON = f"{_ABSENT} (normal on a user's clone)"

# File name prefix -> the components/schemas entry the payload must satisfy.
_PREFIX_SCHEMA = [
    ("error_api_", "ApiError"),
    ("get_incoming_payment_", "IncomingPaymentResult"),
    ("result_incoming_payment_", "IncomingPaymentResult"),
    ("get_payment_link_", "PaymentLinkResult"),
    ("result_payment_link_", "PaymentLinkResult"),
    ("response_payment_link_cancel", "PaymentLinkCancelResponse"),
    ("get_polling_", "PollingResult"),
    ("result_polling_", "PollingResult"),
    ("get_reversal_", "ReversalResult"),
    ("result_reversal_", "ReversalResult"),
    ("get_send_money_", "SendMoneyResult"),
    ("result_send_money_", "SendMoneyResult"),
    ("get_transaction_sms_notification_", "TransactionSmsNotificationResult"),
    ("result_payment_processed", "PaymentResult"),
    ("result_settlement_transfer_", "SettlementTransferResult"),
    ("token_info_", "TokenInfoResponse"),
    ("token_introspect_", "IntrospectResponse"),
    ("token_response", "TokenResponse"),
    ("webhook_daraja_", "DarajaTransactionWebhook"),
    ("webhook_buygoods_transaction_received", "BuygoodsTransactionReceivedWebhook"),
    ("webhook_buygoods_transaction_reversed", "BuygoodsTransactionReversedWebhook"),
    ("webhook_b2b_transaction_received", "B2BTransactionReceivedWebhook"),
    ("webhook_b2b_transaction_reversed", "B2BTransactionReversedWebhook"),
    ("webhook_m2m_transaction_received", "M2MTransactionReceivedWebhook"),
    ("webhook_settlement_transfer_completed", "SettlementTransferCompletedWebhook"),
    ("webhook_customer_created", "CustomerCreatedWebhook"),
]


def missing_fixtures() -> NoReturn:
    """Skip for want of the sample payloads, or fail when ``K2_REQUIRE_SERVERS=1`` forbids skipping."""
    if os.environ.get(REQUIRE_SERVERS) == "1":
        pytest.fail(f"{_ABSENT}, and {REQUIRE_SERVERS}=1 forbids skipping", pytrace=False)
    pytest.skip(SKIP_REASON)


def fixtures_present() -> bool:
    """Whether the sample payloads are there; False only where skipping is allowed.

    Under ``K2_REQUIRE_SERVERS=1`` an absent folder fails at once: at collection when asked by a
    ``skipif`` or a parametrization, in the test when asked by a test body.
    """
    if FIXTURES_DIR.is_dir():
        return True
    if os.environ.get(REQUIRE_SERVERS) == "1":
        missing_fixtures()
    return False


def payload_files() -> list[Path]:
    """Every non-legacy payload (signature vectors and legacy 2019 shapes excluded)."""
    if not fixtures_present():
        return []
    return sorted(
        p
        for p in FIXTURES_DIR.glob("*.json")
        if not p.name.startswith("legacy2019_") and not p.name.endswith(".signature.json")
    )


def signature_files() -> list[Path]:
    if not fixtures_present():
        return []
    return sorted(FIXTURES_DIR.glob("*.signature.json"))


def schema_for(path: Path) -> str:
    for prefix, schema in _PREFIX_SCHEMA:
        if path.name.startswith(prefix):
            return schema
    raise LookupError(f"no schema known for fixture {path.name}: add it to tests/fixtures.py")


def load(path: Path) -> Any:
    return json.loads(path.read_bytes())


def absent_params(width: int = 1) -> list[Any]:
    """The one skipped param (``width`` values, all None) standing for cases drawn from the samples.

    Fails instead under ``K2_REQUIRE_SERVERS=1`` when the folder is absent (see ``fixtures_present``).
    """
    reason = f"no matching K2 sample payloads in {FIXTURES_DIR}" if fixtures_present() else SKIP_REASON
    values = (None,) * width
    return [pytest.param(*values, marks=pytest.mark.skip(reason=reason), id="no-fixtures")]


def fixture_params(files: list[Path]) -> list[Any]:
    """Parametrize over files, or one skipped param saying why when the folder is absent."""
    if not files:
        return absent_params()
    return [pytest.param(p, id=p.name) for p in files]
