"""Keeping the index in step: the outbox, crash consistency, rebuilding and resuming."""

from __future__ import annotations

from io import StringIO
from typing import Any

import pytest
from django.core.management import call_command
from django.db import transaction

from infoharbor.core.permissions import ANONYMOUS
from infoharbor.search import indexer, service
from infoharbor.search.models import PendingIndex, ReindexRun
from tests import factories

pytestmark = pytest.mark.django_db


def ids(text: str) -> list[int]:
    return [result.entry.pk for result in service.search(ANONYMOUS, text).results]


def test_a_change_leaves_an_outbox_row_in_its_transaction(backend: Any) -> None:
    org = factories.make_org()
    made = factories.make_entry(org, title="Harbor tariffs")
    # Written with the entry, before any commit: the change and the note commit together
    assert PendingIndex.objects.filter(entry_id=made.pk).exists()
    assert ids("tariffs") == []
    indexer.drain()
    assert not PendingIndex.objects.exists()
    assert ids("tariffs") == [made.pk]


def test_a_rolled_back_change_leaves_nothing(backend: Any) -> None:
    org = factories.make_org()

    def change_then_fail() -> None:
        with transaction.atomic():
            factories.make_entry(org, title="Never happened")
            raise RuntimeError

    with pytest.raises(RuntimeError):
        change_then_fail()
    assert not PendingIndex.objects.exists()


def test_after_commit_the_entry_is_indexed(
    backend: Any, django_capture_on_commit_callbacks: Any
) -> None:
    org = factories.make_org()
    with django_capture_on_commit_callbacks(execute=True):
        made = factories.make_entry(org, title="Committed notice")
    assert ids("committed") == [made.pk]


def test_a_failing_index_keeps_the_outbox(backend: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    org = factories.make_org()
    made = factories.make_entry(org, title="Crash test notice")

    def crash(*args: Any, **kwargs: Any) -> None:
        raise OSError("disk full")

    # The index write fails (disk full, process killed): nothing is lost
    monkeypatch.setattr(type(backend), "index", crash)
    with pytest.raises(OSError, match="disk full"):
        indexer.drain()
    assert PendingIndex.objects.filter(entry_id=made.pk).exists()
    monkeypatch.undo()
    # and the next drain indexes it, once
    indexer.drain()
    indexer.queue([made.pk])
    indexer.drain()
    assert ids("crash") == [made.pk]
    assert backend.count() == 1


def test_reindex_rebuilds_and_resumes(backend: Any) -> None:
    org = factories.make_org()
    made = [factories.make_entry(org, title=f"Notice number {n}") for n in range(5)]
    PendingIndex.objects.all().delete()  # as if the index had been lost
    assert ids("notice") == []

    calls = []

    def interrupt(done: int, total: int) -> None:
        calls.append(done)
        if len(calls) == 2:
            raise KeyboardInterrupt  # the operator presses Ctrl-C mid-way

    with pytest.raises(KeyboardInterrupt):
        indexer.reindex(batch_size=2, progress=interrupt)
    run = ReindexRun.objects.get()
    assert run.finished_at is None
    assert run.last_entry_id == made[3].pk

    out = StringIO()
    call_command("reindex", batch_size=2, stdout=out)
    run.refresh_from_db()
    assert run.finished_at is not None
    assert "5 searchable entries" in out.getvalue()
    assert sorted(ids("notice")) == sorted(e.pk for e in made)
    assert backend.count() == 5


def test_reindex_fresh_and_pending(backend: Any) -> None:
    org = factories.make_org()
    made = factories.make_entry(org, title="Pending notice")
    out = StringIO()
    call_command("reindex", pending=True, stdout=out)
    assert "1 pending" in out.getvalue()
    assert ids("pending") == [made.pk]
    call_command("reindex", fresh=True, stdout=StringIO())
    assert ids("pending") == [made.pk]


def test_threads_opening_a_new_index_at_once_share_one(settings: Any, tmp_path: Any) -> None:
    # The background indexer and a request asked for the backend at the same moment on a new
    # installation; one of them used to delete the directory the other was creating.
    import threading

    from infoharbor.search.backends import get_backend

    settings.SEARCH_BACKEND = "embedded"
    settings.SEARCH_PATH = tmp_path / "fresh"
    found: list[object] = []
    errors: list[BaseException] = []

    def open_it() -> None:
        try:
            found.append(get_backend())
        except BaseException as error:
            errors.append(error)

    threads = [threading.Thread(target=open_it) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors
    assert len({id(backend) for backend in found}) == 1
