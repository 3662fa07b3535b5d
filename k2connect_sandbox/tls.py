"""A throwaway certificate authority and server certificate for serving the sandbox over HTTPS.

Made on the spot with trustme: the CA exists only in the temporary directory, so the only clients
that trust the sandbox are the ones explicitly given that CA file.
"""

from __future__ import annotations

import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path

import trustme

__all__ = ["TlsMaterial", "make_tls_material"]

DEFAULT_HOSTS = ("127.0.0.1", "localhost", "::1")


@dataclass(frozen=True)
class TlsMaterial:
    directory: Path
    ca_file: Path  # give this to clients (httpx: verify=str(ca_file))
    cert_file: Path  # server certificate chain
    key_file: Path

    def cleanup(self) -> None:
        shutil.rmtree(self.directory, ignore_errors=True)


def make_tls_material(hosts: tuple[str, ...] = DEFAULT_HOSTS) -> TlsMaterial:
    """Create a CA and a server certificate for ``hosts`` in a new temporary directory."""
    directory = Path(tempfile.mkdtemp(prefix="k2connect-sandbox-tls-"))
    ca = trustme.CA(organization_name="k2connect sandbox")
    server = ca.issue_cert(*hosts)
    material = TlsMaterial(
        directory=directory,
        ca_file=directory / "sandbox-ca.pem",
        cert_file=directory / "server-chain.pem",
        key_file=directory / "server-key.pem",
    )
    ca.cert_pem.write_to_path(str(material.ca_file))
    server.private_key_pem.write_to_path(str(material.key_file))
    # The chain file holds the leaf followed by its issuer, as ssl.load_cert_chain expects.
    for index, blob in enumerate(server.cert_chain_pems):
        blob.write_to_path(str(material.cert_file), append=index > 0)
    return material
