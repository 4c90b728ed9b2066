from __future__ import annotations

# The ingest tests' local feed server, organization and settings, reused as they are.
from tests.ingest.conftest import _ingest_settings, feed_server, harbor, policy

__all__ = ["_ingest_settings", "feed_server", "harbor", "policy"]
