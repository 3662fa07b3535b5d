"""A client library for accessing Kopo Kopo K2 Connect API"""

from .client import AuthenticatedClient, Client

__all__ = (
    "AuthenticatedClient",
    "Client",
)
