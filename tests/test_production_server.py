"""The production server: `trygg migrate` then `trygg serve` (gunicorn) on a file SQLite database.

Everything goes through the console script in subprocesses, as `make run` does, with the data
directory and the database in tmp_path; the server serves the login page and its static files
(WhiteNoise, not the development server), then stops on SIGTERM.
"""

from __future__ import annotations

import os
import re
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
STARTUP_LIMIT = 120  # seconds; only a bound on waiting for a server that never comes up

pytestmark = pytest.mark.slow


def trygg_command() -> list[str]:
    """The `trygg` console script of this environment (python -m trygg.cli if it is not installed)."""
    script = Path(sys.executable).parent / "trygg"
    return [str(script)] if script.exists() else [sys.executable, "-m", "trygg.cli"]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def server_env(tmp_path: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("TRYGG_") and k != "DJANGO_SETTINGS_MODULE"}
    env.update(
        TRYGG_DATA_DIR=str(tmp_path / "data"),
        DATABASE_URL=f"sqlite:///{tmp_path / 'trygg.sqlite3'}",
        TRYGG_SHARED_DIR=os.environ.get("TRYGG_SHARED_DIR", str(ROOT.parent / "shared")),
    )
    return env


def get(url: str) -> tuple[int, dict[str, str], bytes]:
    with urllib.request.urlopen(url, timeout=30) as response:
        return response.status, {k.lower(): v for k, v in response.headers.items()}, response.read()


def wait_until_serving(process: subprocess.Popen, url: str, log: Path) -> None:
    deadline = time.monotonic() + STARTUP_LIMIT
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(f"trygg serve exited with {process.returncode}:\n{log.read_text()}")
        try:
            get(url)
            return
        except (urllib.error.URLError, ConnectionError, OSError):
            time.sleep(0.2)
    pytest.fail(f"trygg serve did not answer on {url}:\n{log.read_text()}")


@pytest.fixture
def production_server(tmp_path):
    env = server_env(tmp_path)
    migrate = subprocess.run([*trygg_command(), "migrate", "--noinput"], cwd=tmp_path, env=env,
                             capture_output=True, text=True, timeout=600)
    assert migrate.returncode == 0, migrate.stdout + migrate.stderr
    port = free_port()
    log = tmp_path / "serve.log"
    log_file = log.open("w")
    process = subprocess.Popen(
        [*trygg_command(), "serve", "--host", "127.0.0.1", "--port", str(port), "--workers", "1",
         "--threads", "2", "--no-migrate"],
        cwd=tmp_path, env=env, stdout=log_file, stderr=subprocess.STDOUT,
        start_new_session=True,  # gunicorn's workers share the group: one signal stops them all
    )
    base = f"http://127.0.0.1:{port}"
    try:
        wait_until_serving(process, base + "/konto/logga-in/", log)
        yield base, process
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGTERM)
            try:
                process.wait(timeout=60)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait()
        log_file.close()


def test_trygg_serve_runs_gunicorn_with_the_login_page_and_its_static_files(production_server, tmp_path):
    base, process = production_server
    status, headers, body = get(base + "/konto/logga-in/")
    html = body.decode("utf-8")
    assert status == 200
    assert headers["server"].startswith("gunicorn"), headers.get("server")
    assert re.search(r'<form method="post"', html)
    assert 'name="username"' in html and 'name="password"' in html and 'name="csrfmiddlewaretoken"' in html
    assert headers["x-frame-options"] == "DENY"
    assert (tmp_path / "trygg.sqlite3").exists(), "the server must use the database from DATABASE_URL"

    stylesheets = re.findall(r'<link rel="stylesheet" href="([^"]+\.css)"', html)
    assert stylesheets, "the login page links no stylesheet"
    for href in stylesheets:
        status, headers, css = get(base + href)
        assert status == 200
        assert headers["content-type"].startswith("text/css")
        assert len(css) > 100
    status, headers, _ = get(base + "/static/leaflet/leaflet.js")  # the map library, no CDN
    assert status == 200 and "javascript" in headers["content-type"]

    with pytest.raises(urllib.error.HTTPError) as missing:
        get(base + "/static/trygg/no-such-file.css")
    assert missing.value.code == 404

    os.killpg(process.pid, signal.SIGTERM)
    assert process.wait(timeout=60) == 0, "gunicorn stops cleanly on SIGTERM"
