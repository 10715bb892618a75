"""pytest plugin (registered through the ``pytest11`` entry point): the ``cinnox_mock`` fixture.

``cinnox_mock`` starts the mock CINNOX Open API (``enquiry serve``) on ``127.0.0.1:0`` through
the installed ``enquiry`` command, with a random token, reads the base URL from the first line
of its standard output, yields a :class:`CinnoxMock` and stops the server (SIGTERM, then kill)
at teardown. Options come from the marker::

    @pytest.mark.cinnox_mock(seed=7, records=200, invalid_rate=0.1, fault_rate=0)
    def test_my_client(cinnox_mock):
        records = my_client.fetch_all(cinnox_mock.base_url, cinnox_mock.app, cinnox_mock.token)
        assert len(cinnox_mock.manifest()) == sum(not enquiry_contract.is_valid(r) for r in records)
"""

from __future__ import annotations

import json
import os
import secrets
import shutil
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from dataclasses import dataclass
from typing import IO, Any, Dict, Iterator, List

import pytest

#: Marker options and the ``enquiry serve`` flag each one sets.
MARKER_OPTIONS: Dict[str, str] = {
    "seed": "--seed",
    "records": "--records",
    "invalid_rate": "--invalid-rate",
    "fault_rate": "--fault-rate",
    "app": "--app",
    "rate_limit": "--rate-limit",
    "latency": "--latency",
}

#: How long the server may take to print its address.
START_TIMEOUT_SECONDS = 30.0


@dataclass
class CinnoxMock:
    """A running mock server."""

    #: ``http://127.0.0.1:PORT``, no trailing slash.
    base_url: str
    #: The bearer token the API endpoints require.
    token: str
    #: The application ID in the API paths.
    app: str
    #: The options it was started with (the marker's, with defaults).
    options: Dict[str, Any]

    def url(self, path: str) -> str:
        """An absolute URL for ``path`` (``/v1/api/apps/...`` or ``/_mock/...``)."""
        return self.base_url + path

    def get_json(self, path: str, *, auth: bool = True, timeout: float = 10.0) -> Any:
        """GETs ``path`` (with the bearer token unless ``auth`` is false) and decodes the JSON."""
        request = urllib.request.Request(self.url(path))
        if auth:
            request.add_header("Authorization", f"Bearer {self.token}")
        with urllib.request.urlopen(request, timeout=timeout) as response:
            return json.loads(response.read())

    def requests(self) -> List[Dict[str, Any]]:
        """The server's request log (``GET /_mock/requests``): method, path, query, status..."""
        result: List[Dict[str, Any]] = self.get_json("/_mock/requests")
        return result

    def manifest(self) -> List[Dict[str, Any]]:
        """The labelled invalid records served so far (``GET /_mock/manifest``)."""
        result: List[Dict[str, Any]] = self.get_json("/_mock/manifest")
        return result


def _enquiry_command() -> List[str]:
    """The installed console command beside this interpreter, else on PATH, else ``-m``."""
    beside = os.path.join(os.path.dirname(sys.executable), "enquiry")
    if os.access(beside, os.X_OK):
        return [beside]
    found = shutil.which("enquiry")
    if found:
        return [found]
    return [sys.executable, "-m", "enquiry_contract"]


def serve_command(token: str, options: Dict[str, Any]) -> List[str]:
    """The ``enquiry serve`` command line for marker ``options``."""
    unknown = sorted(set(options) - set(MARKER_OPTIONS))
    if unknown:
        raise pytest.UsageError(
            f"cinnox_mock marker: unknown option(s) {', '.join(unknown)}; "
            f"known: {', '.join(MARKER_OPTIONS)}"
        )
    # `--flag=value`: a value starting with `-` must not be read as a flag.
    command = _enquiry_command() + ["serve", "--addr=127.0.0.1:0", f"--token={token}"]
    for name, flag in MARKER_OPTIONS.items():
        value = options.get(name)
        if value is not None:
            command.append(f"{flag}={value}")
    return command


def _read_first_line(process: "subprocess.Popen[bytes]", stderr: IO[bytes]) -> str:
    """The first stdout line, waiting at most ``START_TIMEOUT_SECONDS``."""
    assert process.stdout is not None
    lines: List[bytes] = []
    reader = threading.Thread(target=lambda: lines.append(process.stdout.readline()), daemon=True)  # type: ignore[union-attr]
    reader.start()
    reader.join(START_TIMEOUT_SECONDS)
    line = lines[0].decode("utf-8", "replace").strip() if lines else ""
    if not line.startswith("http://"):
        process.kill()
        process.wait()
        stderr.seek(0)
        detail = stderr.read().decode("utf-8", "replace").strip()
        raise RuntimeError(
            f"enquiry serve did not print its address (exit status {process.returncode}): "
            f"{detail or 'no output'}"
        )
    # Keep draining stdout so that the server never blocks on a full pipe.
    threading.Thread(target=lambda: process.stdout.read(), daemon=True).start()  # type: ignore[union-attr]
    return line


def _stop(process: "subprocess.Popen[bytes]") -> None:
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers",
        "cinnox_mock(seed=0, records=1000, invalid_rate=None, fault_rate=None, app=None, "
        "rate_limit=None, latency=None): options of the cinnox_mock fixture's `enquiry serve`",
    )


@pytest.fixture
def cinnox_mock(request: pytest.FixtureRequest) -> Iterator[CinnoxMock]:
    """A mock CINNOX Open API on 127.0.0.1, started for the test and stopped after it."""
    marker = request.node.get_closest_marker("cinnox_mock")
    options: Dict[str, Any] = {"seed": 0, "records": 100}
    if marker is not None:
        options.update(marker.kwargs)
    token = secrets.token_hex(16)
    command = serve_command(token, options)
    with tempfile.TemporaryFile() as stderr:
        process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=stderr, stdin=subprocess.DEVNULL)
        try:
            base_url = _read_first_line(process, stderr)
            mock = CinnoxMock(
                base_url=base_url,
                token=token,
                app=str(options.get("app") or "mock-app"),
                options=options,
            )
            _wait_healthy(mock)
            yield mock
        finally:
            _stop(process)


def _wait_healthy(mock: CinnoxMock, timeout: float = 10.0) -> None:
    deadline = time.monotonic() + timeout
    while True:
        try:
            mock.get_json("/_mock/health", auth=False, timeout=2.0)
            return
        except OSError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.05)
