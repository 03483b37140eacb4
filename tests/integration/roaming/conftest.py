"""Billing's fixtures (a core with a recording gateway, the demo district) for roaming tests."""

from tests.integration.billing.conftest import billing, core, demo, gateway

__all__ = ["billing", "core", "demo", "gateway"]
