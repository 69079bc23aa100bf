"""A small OER web site on 127.0.0.1 for crawl tests: robots.txt, a sitemap index, two
sitemaps (one gzipped), and pages with and without JSON-LD, some of them failing.

    with WebSite() as site:
        site.sitemap_url          # the sitemap index
        site.requests             # [(path, user agent), ...] as served, in order

The default layout (`WebSite()`):
    /robots.txt                    Disallow: /private/, Sitemap: the index
    /sitemap_index.xml             → /sitemaps/materials.xml, /sitemaps/extra.xml.gz
    /sitemaps/materials.xml        the three HOOU pages of the corpus (oersi-etl-hoou/*.html,
                                   read at start-up through corpus_path), under /materials/
    /sitemaps/extra.xml.gz         the tiny pages of tests/data/web/ and the failing ones:
      /pages/no-jsonld.html        no structured data, and no lastmod in the sitemap
      /pages/invalid-jsonld.html   one good LearningResource block, one broken block
      /pages/missing.html          404
      /pages/flaky.html            500 once, then the page
      /pages/busy.html             429 with Retry-After: 1 once, then the page (@graph)
      /old/lesson                  301 → /pages/lesson.html (a resource with an @id)
      /private/secret.html         disallowed by robots.txt (served if asked: it must not be)

Between two crawls a test may change `lastmods`, `extra` (the paths the gzipped sitemap
lists), `fail_first` (responses served before the real one) or `routes`.
"""

from __future__ import annotations

import gzip
import threading
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler
from pathlib import Path

from tests.support.corpus import corpus_path
from tests.support.local_http import LocalHTTPServer

DATA = Path(__file__).resolve().parents[1] / "data" / "web"
HOOU_PAGES = (
    "hoou-ifm-erzaehlung-wie",
    "hoou-online-punkteabfrage",
    "hoou-tutorial-lernen-lernen",
)
HTML = "text/html; charset=utf-8"


@dataclass
class Route:
    status: int = 200
    body: bytes = b""
    content_type: str = HTML
    headers: dict[str, str] = field(default_factory=dict)


class WebSite:
    """The site; `routes` maps a path to its Route, the sitemaps are built per request."""

    def __init__(self) -> None:
        self.routes: dict[str, Route] = {}
        self.lastmods: dict[str, str | None] = {}
        self.materials: list[str] = []
        self.extra: list[str] = []
        self.fail_first: dict[str, list[Route]] = {}
        self.requests: list[tuple[str, str]] = []
        self._lock = threading.Lock()
        self._server = LocalHTTPServer(_handler(self))
        self._default_layout()

    # ---------------------------------------------------------------- layout

    def _default_layout(self) -> None:
        for number, stem in enumerate(HOOU_PAGES):
            path = f"/materials/{stem}"
            body = corpus_path("oersi-etl-hoou", f"{stem}.html").read_bytes()
            self.routes[path] = Route(body=body)
            self.materials.append(path)
            self.lastmods[path] = f"2019-03-1{number}T00:31:06+01:00"
        for name in ("no-jsonld", "invalid-jsonld", "flaky", "busy", "lesson"):
            self.routes[f"/pages/{name}.html"] = Route(body=(DATA / f"{name}.html").read_bytes())
        self.routes["/old/lesson"] = Route(status=301, headers={"Location": "/pages/lesson.html"})
        self.routes["/private/secret.html"] = Route(body=self.routes["/pages/lesson.html"].body)
        self.extra = [
            "/pages/no-jsonld.html",
            "/pages/invalid-jsonld.html",
            "/pages/missing.html",
            "/pages/flaky.html",
            "/pages/busy.html",
            "/old/lesson",
            "/private/secret.html",
        ]
        self.lastmods.update({path: "2024-05-01" for path in self.extra})
        self.lastmods["/pages/no-jsonld.html"] = None
        self.fail_first = {
            "/pages/flaky.html": [Route(status=500, body=b"<h1>Internal Server Error</h1>")],
            "/pages/busy.html": [
                Route(status=429, body=b"slow down", headers={"Retry-After": "1"})
            ],
        }

    # ---------------------------------------------------------------- serving

    @property
    def origin(self) -> str:
        return self._server.origin

    def url(self, path: str) -> str:
        return self.origin + path

    @property
    def sitemap_url(self) -> str:
        return self.url("/sitemap_index.xml")

    def paths_requested(self) -> list[str]:
        with self._lock:
            return [path for path, _ in self.requests]

    def respond(self, path: str, user_agent: str) -> Route:
        with self._lock:
            self.requests.append((path, user_agent))
            queued = self.fail_first.get(path)
            if queued:
                return queued.pop(0)
        if path == "/robots.txt":
            text = f"User-agent: *\nDisallow: /private/\n\nSitemap: {self.sitemap_url}\n"
            return Route(body=text.encode(), content_type="text/plain")
        if path == "/sitemap_index.xml":
            return Route(body=self._index(), content_type="application/xml")
        if path == "/sitemaps/materials.xml":
            return Route(body=self._urlset(self.materials), content_type="application/xml")
        if path == "/sitemaps/extra.xml.gz":
            body = gzip.compress(self._urlset(self.extra))
            return Route(body=body, content_type="application/x-gzip")
        return self.routes.get(path) or Route(status=404, body=b"<h1>Not Found</h1>")

    def _index(self) -> bytes:
        entries = "".join(
            f"<sitemap><loc>{self.url(p)}</loc><lastmod>2024-05-01</lastmod></sitemap>"
            for p in ("/sitemaps/materials.xml", "/sitemaps/extra.xml.gz")
        )
        return (
            '<?xml version="1.0" encoding="UTF-8"?>\n'
            f'<sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">{entries}'
            "</sitemapindex>"
        ).encode()

    def _urlset(self, paths: list[str]) -> bytes:
        entries = []
        for path in paths:
            lastmod = self.lastmods.get(path)
            stamp = f"<lastmod>{lastmod}</lastmod>" if lastmod else ""
            loc = path if ":" in path else self.url(path)  # absolute entries as given
            entries.append(f"<url><loc>{loc}</loc>{stamp}</url>")
        return (
            '<?xml version="1.0" encoding="UTF-8"?>\n'
            f'<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">{"".join(entries)}'
            "</urlset>"
        ).encode()

    def start(self) -> WebSite:
        self._server.start()
        return self

    def stop(self) -> None:
        self._server.stop()

    def __enter__(self) -> WebSite:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()


def _handler(site: WebSite) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def do_GET(self) -> None:
            path = self.path.split("?", 1)[0]
            route = site.respond(path, self.headers.get("User-Agent", ""))
            self.send_response(route.status)
            self.send_header("Content-Type", route.content_type)
            self.send_header("Content-Length", str(len(route.body)))
            for name, value in route.headers.items():
                self.send_header(name, value)
            self.end_headers()
            self.wfile.write(route.body)

        def log_message(self, format: str, *args: object) -> None:
            pass

    return Handler
