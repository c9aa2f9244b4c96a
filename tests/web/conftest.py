"""The web tests use the fraud tests' fixtures (reports by any agency, fixed ids)."""

from tests.fraud.conftest import new_id, store_report

__all__ = ["new_id", "store_report"]
