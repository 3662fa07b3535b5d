"""The fault server misbehaves as advertised (seen by plain httpx, not the SDK); the runners count right.

Without these, a harness bug (a "cut" body that arrives whole, a "reset" that is a clean close) would make
matrix cases pass for the wrong reason.
"""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest

from .faultserver import REDIRECT_TARGET, Fault, FaultServer, closed_port
from .fuzz import count_cases
from .matrix import FAULTS, new_server

# Shorter than the trickle's 0.5 s gap between bytes, so a per-read timeout fires at the first gap. (At
# 0.5 s the race went either way: the trickle then ran to the end of its hold and the test took 30 s.)
SHORT = httpx.Timeout(0.25)


@pytest.fixture(scope="module")
def server() -> Iterator[FaultServer]:
    srv = new_server()
    yield srv
    srv.close()


def _post(base_url: str, path: str = "/api/v2/incoming_payments") -> httpx.Response:
    with httpx.Client(base_url=base_url, timeout=SHORT) as client:
        return client.post(path, json={"amount": 1})


@pytest.mark.parametrize(
    ("fault", "error"),
    [
        ("cut_body", httpx.RemoteProtocolError),  # fewer bytes than Content-Length, then FIN
        ("reset_before_headers", httpx.NetworkError),  # RST instead of an answer
        ("reset_after_headers", httpx.NetworkError),  # RST in the middle of the body
        ("malformed_status", httpx.RemoteProtocolError),
        ("stalled_body", httpx.ReadTimeout),
        ("trickled_body", httpx.ReadTimeout),  # 1 byte per 0.5 s: a 0.5 s per-read timeout fires
        ("hang", httpx.ReadTimeout),
    ],
)
def test_transport_faults_break_the_wire(server: FaultServer, fault: str, error: type[Exception]) -> None:
    with server.listen(FAULTS[fault]) as listener:
        with pytest.raises(error):
            _post(listener.base_url)
        listener.settle()
        assert [(r.method, r.aim, r.body_complete) for r in listener.requests] == [("POST", "api", True)]


def test_a_fault_hits_only_its_aim_and_only_times_requests(server: FaultServer) -> None:
    with server.listen(FAULTS["s503_after"]) as listener, httpx.Client(base_url=listener.base_url) as client:
        base_url = listener.base_url
        token = client.post("/oauth/token", data={"grant_type": "client_credentials"})
        first = client.post("/api/v1/payments", json={})
        second = client.post("/api/v1/payments", json={})
        resource = client.get("/api/v2/incoming_payments/abc")
    assert token.status_code == 200 and token.json()["access_token"] in listener.issued.tokens
    assert first.status_code == 503
    assert second.status_code == 201
    assert second.headers["location"].startswith(f"{base_url}/api/v1/payments/")
    assert resource.json()["data"]["id"] == "abc"
    assert [r.processed for r in listener.requests] == [True, True, True, True]  # "after processing"
    assert listener.count("POST", "/api/v1/payments") == 2


def test_before_processing_is_recorded_as_not_processed(server: FaultServer) -> None:
    with server.listen(FAULTS["s500_before"]) as listener:
        assert _post(listener.base_url).status_code == 500
    assert [r.processed for r in listener.requests] == [False]


def test_every_answer_is_signed_and_the_signature_recorded(server: FaultServer) -> None:
    with server.listen(None) as listener:
        response = _post(listener.base_url)
    assert response.headers["x-kopokopo-signature"] in listener.issued.signatures


def test_huge_body_advertises_and_sends_50_mib(server: FaultServer) -> None:
    with server.listen(FAULTS["huge_body"]) as listener:
        response = _post(listener.base_url)
    assert response.status_code == 500 and len(response.content) == 50 * 1024 * 1024


def test_redirects_point_at_the_trap_path(server: FaultServer) -> None:
    with server.listen(FAULTS["redirect_307"]) as listener:
        response = _post(listener.base_url)
    assert response.status_code == 307 and response.headers["location"] == REDIRECT_TARGET


def test_token_faults_put_a_real_token_in_a_broken_body(server: FaultServer) -> None:
    fault = Fault("t", "t", "token", "status", 200, (), b'{"access_token": "{token}", "tok')
    with server.listen(fault) as listener, httpx.Client(base_url=listener.base_url) as client:
        body = client.post("/oauth/token", data={}).text
    assert listener.issued.tokens and listener.issued.tokens[0] in body and not body.endswith("}")


def test_closed_port_refuses() -> None:
    with pytest.raises(httpx.ConnectError):
        _post(f"http://127.0.0.1:{closed_port()}")


def test_fuzz_runner_counts_hypothesis_statistics() -> None:
    output = """
  - during reuse phase (0.01 seconds):
    - 3 passing, 0 failing, and 0 invalid test cases
  - during generate phase (1.50 seconds):
    - 997 passing, 0 failing, and 12 invalid test cases
tests/x.py::test_b:
    - 40 passing examples, 2 failing examples, 0 invalid examples
"""
    assert count_cases(output) == 3 + 997 + 40 + 2
