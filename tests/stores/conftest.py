"""The store tests use the session's real Redis and PostgreSQL from tests/conftest.py."""
