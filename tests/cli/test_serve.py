"""`infoharbor serve` and `infoharbor up` as an operator runs them: separate processes."""

from __future__ import annotations

import json
import os
import re
import socket
import sqlite3
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

# Seconds for the server to answer: a fresh harbor migrates, loads the demo and warms the
# text models first (about 20 s idle; three times that when the 2 test workers share a busy
# machine).
START_TIMEOUT = 180
STOP_TIMEOUT = 15


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _environment(var_dir: Path) -> dict[str, str]:
    """A development harbor of its own: its own var directory and SQLite database, whatever
    database the test run itself uses."""
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("INFOHARBOR_", "PYTEST_", "DJANGO_"))
    }
    env.update(
        {
            "INFOHARBOR_VAR_DIR": str(var_dir),
            "INFOHARBOR_DATABASE_URL": f"sqlite:///{var_dir / 'harbor.sqlite3'}",
            "INFOHARBOR_ENVIRONMENT": "development",
            "PYTHONUNBUFFERED": "1",
        }
    )
    return env


def _infoharbor(*args: str) -> list[str]:
    return [sys.executable, "-m", "infoharbor", *args]


def _get(url: str) -> tuple[int, bytes, dict[str, str]]:
    try:
        with urllib.request.urlopen(url, timeout=5) as response:
            return response.status, response.read(), dict(response.headers)
    except urllib.error.HTTPError as error:
        return error.code, error.read(), dict(error.headers)


def _wait_for(url: str, process: subprocess.Popen[bytes]) -> tuple[int, bytes, dict[str, str]]:
    deadline = time.monotonic() + START_TIMEOUT
    while time.monotonic() < deadline:
        if process.poll() is not None:
            output = process.stdout.read().decode() if process.stdout else ""
            pytest.fail(f"the server exited with {process.returncode}:\n{output}")
        try:
            return _get(url)
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            time.sleep(0.2)
    pytest.fail(f"no answer from {url} within {START_TIMEOUT} s")


def _wait_for_worker(database: Path) -> None:
    """Until the background worker has registered (it starts a little after the server)."""
    deadline = time.monotonic() + START_TIMEOUT
    while time.monotonic() < deadline:
        with sqlite3.connect(database, timeout=30) as db:
            if db.execute("SELECT count(*) FROM worker_workerprocess").fetchone()[0]:
                return
        time.sleep(0.2)
    pytest.fail(f"no worker registered within {START_TIMEOUT} s")


def _stop(process: subprocess.Popen[bytes]) -> str:
    process.terminate()
    try:
        output, _ = process.communicate(timeout=STOP_TIMEOUT)
    except subprocess.TimeoutExpired:
        process.kill()
        output, _ = process.communicate()
        pytest.fail("the server did not stop on SIGTERM")
    return output.decode()


def test_serve_answers_health_and_static_files_then_stops(tmp_path: Path) -> None:
    port = _free_port()
    process = subprocess.Popen(
        _infoharbor("serve", "--port", str(port), "--threads", "2"),
        env=_environment(tmp_path),
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    try:
        status, body, headers = _wait_for(f"http://127.0.0.1:{port}/health", process)
        assert status == 200
        assert json.loads(body) == {"status": "ok", "database": "up"}
        assert headers["Server"] == "infoharbor"

        status, body, _headers = _get(f"http://127.0.0.1:{port}/static/harbor/harbor.css")
        assert status == 200
        assert body
    finally:
        output = _stop(process)
    assert process.returncode == 0
    assert f"http://127.0.0.1:{port}/" in output
    assert "Stopped." in output


def test_up_prepares_a_fresh_harbor_and_serves_it(tmp_path: Path) -> None:
    port = _free_port()
    process = subprocess.Popen(
        _infoharbor("up", "--port", str(port), "--threads", "2"),
        env=_environment(tmp_path),
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    try:
        status, _body, _headers = _wait_for(f"http://127.0.0.1:{port}/health", process)
        assert status == 200
        status, _body, _headers = _get(f"http://127.0.0.1:{port}/en/operator/login/")
        assert status == 200
        _wait_for_worker(tmp_path / "harbor.sqlite3")
    finally:
        output = _stop(process)

    assert f"Var directory: {tmp_path}" in output
    assert "Password for operator@localhost (shown only this once" in output
    assert (tmp_path / "harbor.sqlite3").exists()
    assert (tmp_path / "static" / "harbor" / "harbor.css").exists()
    # The background worker ran beside the server, and stopped with it.
    assert "queues alerts, default, bulk" in output
    assert re.search(r"worker \w+ stopped", output), output[-2000:]
    with sqlite3.connect(tmp_path / "harbor.sqlite3") as db:
        assert db.execute("SELECT count(*) FROM worker_workerprocess").fetchone() == (0,)

    # A second `up` finds everything in place and prints no password.
    again = subprocess.run(
        _infoharbor("up", "--no-serve"),
        env=_environment(tmp_path),
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    assert "0 migrations applied" in again.stdout
    assert "Already loaded" in again.stdout
    assert "shown only this once" not in again.stdout
