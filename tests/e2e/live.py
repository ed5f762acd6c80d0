"""A real Headway server on a loopback port and Debian's Chromium, for e2e tests and screenshots."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager

import uvicorn
from playwright.sync_api import Browser, Playwright

from headway.config import Settings
from headway.main import create_app

CHROMIUM = "/usr/bin/chromium"
# Debian's Chromium, never a downloaded one (`playwright install` needs a network we lack).
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


def free_port() -> int:
    """Ask the kernel for a free port on the loopback interface."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@contextmanager
def live_server(database_url: str, secret_key: str) -> Iterator[str]:
    """Serve Headway on 127.0.0.1 in a thread; yield its base URL; stop it afterwards."""
    app = create_app(Settings(database_url=database_url, secret_key=secret_key))
    port = free_port()
    server = uvicorn.Server(
        uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", lifespan="off")
    )
    thread = threading.Thread(target=server.run, name="headway-live-server", daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            raise RuntimeError(f"the live server did not start on 127.0.0.1:{port}")
        time.sleep(0.02)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=10)


def launch_chromium(playwright: Playwright) -> Browser:
    """Start Debian's headless Chromium."""
    return playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
