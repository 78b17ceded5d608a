"""Fixtures for the dataset tests: a local HTTP server, IDX files, image trees.

The real photos live in the monorepo's shared data directory, next to the repository and not
shipped with it: tests that need them skip when it is absent.
"""

from __future__ import annotations

import socket
import threading
from collections import Counter
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

SHARED_DATA = Path(__file__).resolve().parents[4].parent / "shared" / "data"
SHARED_IMAGES = SHARED_DATA / "images"


class Server:
    """Routes: path -> ("ok" | "truncate" | "error", body). Counts the requests per path."""

    def __init__(self) -> None:
        self.routes: dict[str, tuple[str, bytes]] = {}
        self.hits: Counter[str] = Counter()
        handler = self._handler()
        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), handler)
        self.base = f"http://127.0.0.1:{self.httpd.server_address[1]}"
        self.thread = threading.Thread(
            target=self.httpd.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True
        )

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        server = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:  # noqa: N802 - http.server's name
                server.hits[self.path] += 1
                kind, body = server.routes.get(self.path, ("missing", b""))
                if kind == "missing":
                    self.send_error(404)
                elif kind == "error":
                    self.send_error(500, "boom")
                else:
                    self.send_response(200)
                    self.send_header("Content-Type", "application/octet-stream")
                    self.send_header("Content-Length", str(len(body)))
                    self.end_headers()
                    # "truncate": the server dies mid-transfer, after announcing the full length
                    self.wfile.write(body if kind == "ok" else body[: len(body) // 2])
                    self.close_connection = True

            def log_message(self, *args: object) -> None:
                pass

        return Handler

    def url(self, path: str) -> str:
        return self.base + path


@pytest.fixture
def http_server() -> Iterator[Server]:
    server = Server()
    server.thread.start()
    try:
        yield server
    finally:
        server.httpd.shutdown()
        server.httpd.server_close()
        server.thread.join()


@pytest.fixture
def dead_url() -> str:
    """A URL on 127.0.0.1 where nothing listens (connection refused)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    return f"http://127.0.0.1:{port}"


@pytest.fixture
def shared_data() -> Path:
    if not (SHARED_DATA / "digits.csv.gz").is_file():
        pytest.skip("the shared data directory is not present")
    return SHARED_DATA


@pytest.fixture
def shared_images() -> Path:
    if not (SHARED_IMAGES / "china.jpg").is_file():
        pytest.skip("the shared data directory with the real photos is not present")
    return SHARED_IMAGES
