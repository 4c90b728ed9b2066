"""Tasks that exist only for the worker's tests (importable by a worker subprocess too)."""

from __future__ import annotations

import httpx

from infoharbor.core.tasks import Queue, task


@task(queue=Queue.ALERTS)
def alert(key: str) -> str:
    return f"alert {key}"


@task(queue=Queue.DEFAULT)
def routine(key: str) -> str:
    return f"routine {key}"


@task(queue=Queue.BULK)
def bulk(key: str) -> str:
    return f"bulk {key}"


@task(queue=Queue.DEFAULT)
def deliver(port: int, key: str) -> str:
    """Deliver ``key`` to a subscriber on loopback, with the key as its idempotency key."""
    response = httpx.get(
        f"http://127.0.0.1:{port}/deliver",
        params={"key": key},
        headers={"Idempotency-Key": key},
        timeout=60,
    )
    response.raise_for_status()
    return response.text


@task(queue=Queue.DEFAULT)
def explode(key: str) -> str:
    raise ValueError(f"no such thing as {key}")
