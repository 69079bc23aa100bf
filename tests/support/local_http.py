"""A ThreadingHTTPServer on 127.0.0.1 in a daemon thread: what every test server shares."""

from __future__ import annotations

import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


class LocalHTTPServer:
    """Binds an ephemeral port at once; `start` serves, `stop` shuts down and joins."""

    def __init__(self, handler: type[BaseHTTPRequestHandler], poll_interval: float = 0.05):
        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), handler)
        self.httpd.daemon_threads = True
        self._thread = threading.Thread(
            target=self.httpd.serve_forever, kwargs={"poll_interval": poll_interval}, daemon=True
        )

    @property
    def origin(self) -> str:
        host, port = self.httpd.server_address[:2]
        return f"http://{host}:{port}"

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()
        self._thread.join(timeout=5)
