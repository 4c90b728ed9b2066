from __future__ import annotations

from collections.abc import Callable
from contextlib import AbstractContextManager
from typing import Any

import pytest


@pytest.fixture
def committing(
    django_capture_on_commit_callbacks: Callable[..., AbstractContextManager[Any]],
) -> Callable[[], AbstractContextManager[Any]]:
    """``with committing(): client.post(...)`` runs the on-commit mail the request schedules.

    Tests run inside a transaction that never commits, so without this no mail would leave.
    """
    return lambda: django_capture_on_commit_callbacks(execute=True)
