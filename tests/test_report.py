"""`oer report`: the static HTML report on a real demo warehouse, hostile text from sources
kept inert (escaping, links, CSP), and the page as headless Chromium renders it.

The Chromium tests skip when /usr/bin/chromium is missing, except under CI=true, where they
fail. `REPORT_PNG=docs/img/report.png` makes the render test copy its screenshot there
(`make report-check`).
"""

from __future__ import annotations

import base64
import json
import os
import shutil
import struct
import subprocess
import time
from collections.abc import Iterator
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import duckdb
import pytest
from typer.testing import CliRunner

from flows.cli import app
from pipelines.charts import Bar, bar_chart
from pipelines.report import CHART_BARS, MARKER, build_report, safe_url, top_bars
from warehouse import connect

CHROMIUM = Path("/usr/bin/chromium")
PAGE_TITLE = "OER warehouse report"
SCRIPT = "<script>document.title='pwned'</script>"
IMG = "<img src=x onerror=\"document.title='pwned'\">"
JS_URL = "javascript:document.title='pwned'"
CHARTS = ("chart-sdg", "chart-action-area", "chart-language", "chart-licence", "chart-open")
# every element the template writes; anything else in the file came from a source unescaped
TEMPLATE_TAGS = {
    "html", "head", "meta", "title", "style", "body", "header", "h1", "h2", "p", "ul", "li",
    "h3", "b", "nav", "a", "main", "section", "div", "svg", "desc", "line", "g", "text", "rect",
    "table", "caption", "thead", "tbody", "tr", "th", "td", "span", "code", "br", "footer",
}  # fmt: skip


class Page(HTMLParser):
    """The parts of the report the tests look at: every tag with its attributes, the text
    of each table by caption, and each chart's bars and texts."""

    def __init__(self, text: str) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.tables: dict[str, list[list[str]]] = {}
        self.charts: dict[str, dict[str, list]] = {}
        self._chart: str | None = None
        self._table: list[list[str]] | None = None
        self._cell: list[str] | None = None
        self._caption: list[str] | None = None
        self._text: list[str] | None = None
        self.feed(text)
        self.close()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        self.tags.append((tag, a))
        if tag == "svg":
            self._chart = a.get("id") or f"svg-{len(self.charts)}"
            self.charts[self._chart] = {"bars": [], "texts": []}
        elif tag == "rect" and self._chart and "bar" in (a.get("class") or ""):
            self.charts[self._chart]["bars"].append(a)
        elif tag == "text" and self._chart:
            self._text = []
        elif tag == "table":
            self._table = []
        elif tag == "caption":
            self._caption = []
        elif tag == "tr" and self._table is not None:
            self._table.append([])
        elif tag in ("td", "th") and self._table is not None:
            self._cell = []

    def handle_endtag(self, tag: str) -> None:
        if tag == "svg":
            self._chart = None
        elif tag == "text" and self._chart and self._text is not None:
            self.charts[self._chart]["texts"].append("".join(self._text).strip())
            self._text = None
        elif tag == "caption" and self._caption is not None and self._table is not None:
            self.tables["".join(self._caption).strip()] = self._table
            self._caption = None
        elif tag in ("td", "th") and self._cell is not None and self._table:
            self._table[-1].append(" ".join("".join(self._cell).split()))
            self._cell = None
        elif tag == "table":
            self._table = None

    def handle_data(self, data: str) -> None:
        for part in (self._text, self._cell, self._caption):
            if part is not None:
                part.append(data)

    def row(self, caption: str, first_cell: str) -> list[str]:
        rows = [r for r in self.tables[caption] if r and r[0] == first_cell]
        assert len(rows) == 1, f"{caption}: rows starting {first_cell!r}: {rows}"
        return rows[0]


def copy_warehouse(demo_warehouse: Path, directory: Path) -> Path:
    directory.mkdir(parents=True, exist_ok=True)
    copy = directory / "wh.duckdb"
    shutil.copyfile(demo_warehouse, copy)
    return copy


@pytest.fixture(scope="module")
def demo_report(demo_warehouse: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    work = tmp_path_factory.mktemp("report")
    db = copy_warehouse(demo_warehouse, work)
    result = build_report(db, work / "out" / "report")
    return Path(result.path)


def inject_hostile_text(db: Path) -> str:
    """Markup and a javascript: URL in every kind of text the report shows from sources, on
    the resource the report lists first (newest); its record_id."""
    con = duckdb.connect(str(db))
    try:
        record_id, run_id = con.execute(
            "SELECT record_id, last_seen_run FROM resources WHERE NOT deleted "
            "ORDER BY record_id LIMIT 1"
        ).fetchone()
        con.execute(
            """
            UPDATE resources
            SET titles = [{'value': $title, 'lang': 'en'}],
                descriptions = [{'value': $description, 'lang': 'en'}],
                landing_page = $url,
                first_seen_at = now() + INTERVAL 1 DAY,
                last_changed_at = now() + INTERVAL 1 DAY,
                issues = list_append(issues, {'code': 'xss_probe', 'severity': 'error',
                                              'field': 'title', 'message': $message})
            WHERE record_id = $record_id
            """,
            {"title": f"Lesson {SCRIPT}", "description": f"About {IMG}", "url": JS_URL,
             "message": f"bad title {SCRIPT}", "record_id": record_id},
        )  # fmt: skip
        con.execute(
            "UPDATE harvest_runs SET error_code = 'http_error', error_message = $m, "
            "error_url = $url WHERE run_id = $run",
            {"m": f"server said {IMG}", "url": JS_URL, "run": run_id},
        )
        con.execute(
            "INSERT INTO run_issues (run_id, seq, recorded_at, code, severity, message, url) "
            "SELECT $run, coalesce(max(seq), 0) + 1, now(), 'xss_run_probe', 'error', $m, $url "
            "FROM run_issues WHERE run_id = $run",
            {"run": run_id, "m": f"page said {SCRIPT}", "url": f"{JS_URL}//{IMG}"},
        )
        con.execute(
            "INSERT INTO sources (name, kind, enabled, updated_at) VALUES ($n, 'oai-pmh', false, "
            "now())",
            {"n": f"evil{SCRIPT}"},
        )
    finally:
        con.close()
    return record_id


@pytest.fixture(scope="module")
def hostile_report(demo_warehouse: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    work = tmp_path_factory.mktemp("hostile")
    db = copy_warehouse(demo_warehouse, work)
    inject_hostile_text(db)
    return Path(build_report(db, work / "report").path)


# ---------------------------------------------------------------- the report's content


def test_report_has_charts_tables_and_scorecard(demo_report: Path, demo_warehouse: Path):
    text = demo_report.read_text(encoding="utf-8")
    page = Page(text)
    assert (demo_report.parent / MARKER).exists()
    assert set(CHARTS) <= set(page.charts)

    con = duckdb.connect(str(demo_warehouse), read_only=True)
    try:
        goals = dict(con.execute(
            "SELECT goal, count(DISTINCT record_id) FROM v_resource_sdg GROUP BY goal"
        ).fetchall())  # fmt: skip
        names = dict(con.execute("SELECT goal, name FROM sdg_goals").fetchall())
        without_sdg = con.execute("SELECT count(*) FROM v_resources WHERE len(sdgs) = 0").fetchone()
    finally:
        con.close()
    assert goals and without_sdg == (82,)
    sdg = page.charts["chart-sdg"]
    # one bar per goal present in the data, plus the bar of resources with no SDG
    assert len(sdg["bars"]) == len(goals) + 1
    for goal, count in goals.items():
        label = f"{goal}. {names[goal]}"
        assert label in sdg["texts"], label
        assert page.row("Resources per SDG", label)[1] == f"{count:,}"
    assert page.row("Resources per SDG", "no SDG")[1] == "82"

    areas = page.charts["chart-action-area"]
    assert len(areas["texts"]) == 2 * 6  # five areas and "none": a label and a value each
    assert page.row("Resources per action area", "Developing supportive policy")[1] == "22"
    assert page.row("Resources per main language", "English (en)")[1:3] == ["98", "27.8 %"]
    assert page.row("Resources per licence family", "CC BY")[1] == "126"
    assert page.row("Open for adaptation", "yes")[1] == "264"

    demo = page.row("Source scorecard", "demo")
    assert demo[1:5] == ["oai-pmh", "yes", "352", "8"]
    assert demo[5:7] == ["83.0", "75.0"] and demo[12].startswith("ok 20")
    assert demo[13:] == ["1", "0", "17"]  # runs, failed runs, warnings and errors
    runs = page.tables["Recent runs"][1:]
    assert len(runs) == 1 and runs[0][1:4] == ["demo", "full", "ok"]
    issues = page.row("Quality issues by code", "unparsable_date")
    assert issues[1:5] == ["warning", "record", "17", "1"]
    assert len(page.tables["Most recently added or changed resources"]) == 1 + 10

    for chart in page.charts.values():  # accessible name and description on every chart
        assert chart["texts"]
    svgs = [a for tag, a in page.tags if tag == "svg"]
    assert all(a["role"] == "img" and a["aria-labelledby"] for a in svgs)
    footer = text[text.index("<footer>") :]
    assert "Generated 20" in footer and str(demo_report.parents[2] / "wh.duckdb") in footer


def test_charts_escape_labels_and_skip_empty_bars():
    svg = bar_chart("chart-x", "<b>T</b>", "d & e", [Bar("<i>a</i>", 3), Bar("z", 0)])
    assert "<b>" not in svg and "<i>" not in svg and "&lt;i&gt;a&lt;/i&gt;" in svg
    assert svg.count('class="bar"') == 1  # the 0 keeps its row, without a rectangle
    with pytest.raises(ValueError):
        bar_chart('x" onload="', "t", "d", [])
    with pytest.raises(ValueError):
        bar_chart("chart-x", "t", "d", [Bar("a", 1, colour="red;x")])


def test_report_of_an_empty_warehouse(tmp_path: Path):
    connect(tmp_path / "new.duckdb").close()  # migrated, never harvested
    result = build_report(tmp_path / "new.duckdb", tmp_path / "report")
    page = Page(Path(result.path).read_text(encoding="utf-8"))
    assert result.resources == 0 and set(CHARTS) <= set(page.charts)
    assert page.tables["Recent runs"][1] == ["No harvest has run yet."]
    assert page.tables["Resources per main language"][1:] == []


def test_long_tails_are_summed_in_charts_not_tables():
    bars = [Bar(f"l{i}", 100 - i) for i in range(40)]
    shown = top_bars(bars, "other")
    assert len(shown) == CHART_BARS and shown[-1].label == "other (26)"
    assert sum(b.value for b in shown) == sum(b.value for b in bars)


@pytest.mark.parametrize(
    ("url", "linked"),
    [
        ("https://example.org/a?b=1", True),
        ("HTTP://example.org", True),
        ("javascript:alert(1)", False),
        (" https://example.org", False),
        ("https://exa mple.org", False),
        ("https:///path", False),
        ("data:text/html,<script>", False),
        ("//example.org", False),
        (None, False),
    ],
)
def test_only_http_urls_are_links(url: str | None, linked: bool):
    assert safe_url(url) == (url if linked else None)


def test_hostile_text_is_escaped(hostile_report: Path):
    text = hostile_report.read_text(encoding="utf-8")
    page = Page(text)
    # the injected texts are shown, as text
    assert "Lesson &lt;script&gt;document.title=&#39;pwned&#39;&lt;/script&gt;" in text
    assert "About &lt;img src=x onerror=&#34;document.title=&#39;pwned&#39;&#34;&gt;" in text
    assert "server said &lt;img src=x onerror=" in text
    assert "page said &lt;script&gt;" in text and "bad title &lt;script&gt;" in text
    assert "evil&lt;script&gt;" in text
    assert text.count("javascript:document.title=&#39;pwned&#39;") >= 3  # as text, not href
    # never as markup
    assert "<script" not in text.lower() and "<img" not in text.lower()
    assert {tag for tag, _ in page.tags} <= TEMPLATE_TAGS
    for tag, attrs in page.tags:
        assert not [k for k in attrs if k.startswith("on")], (tag, attrs)
        href = attrs.get("href")
        if href is not None:
            assert href.startswith(("#", "https://", "http://")), href
    csp = [a for tag, a in page.tags if a.get("http-equiv") == "Content-Security-Policy"]
    assert csp and "default-src 'none'" in (csp[0]["content"] or "")
    assert "script-src" not in (csp[0]["content"] or "")  # scripts fall under default-src


# ---------------------------------------------------------------- the CLI


def test_cli_writes_and_replaces_only_reports(demo_warehouse: Path, tmp_path: Path):
    db = copy_warehouse(demo_warehouse, tmp_path)
    out = tmp_path / "site"
    runner = CliRunner()
    for _ in range(2):  # the second run replaces the first report
        done = runner.invoke(app, ["report", "--out", str(out), "--db", str(db), "--json"])
        assert done.exit_code == 0, done.output
        result = json.loads(done.stdout)
        assert result["resources"] == 352 and result["bytes"] > 10_000
    assert sorted(p.name for p in out.iterdir()) == [MARKER, "index.html"]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["site", "wh.duckdb"]  # no leftovers

    mine = tmp_path / "mine"
    mine.mkdir()
    (mine / "notes.txt").write_text("keep me")
    done = runner.invoke(app, ["report", "--out", str(mine), "--db", str(db)])
    assert done.exit_code == 2
    assert "is not a report written by oer report" in done.stderr
    assert [p.name for p in mine.iterdir()] == ["notes.txt"]

    done = runner.invoke(app, ["report", "--out", str(out), "--db", str(tmp_path / "no.duckdb")])
    assert done.exit_code == 2 and "does not exist" in done.stderr


# ---------------------------------------------------------------- in a real browser


def need_chromium() -> None:
    if CHROMIUM.exists():
        return
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail(f"{CHROMIUM} is missing (make chromium installs it)")
    pytest.skip(f"{CHROMIUM} is missing (make chromium installs it)")


class Browser:
    """Headless Chromium driven over the DevTools protocol (websockets): one page; the
    console messages, exceptions, log entries and network requests it saw."""

    def __init__(self, profile: Path) -> None:
        from websockets.sync.client import connect

        self.process = subprocess.Popen(
            [str(CHROMIUM), "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
             "--no-first-run", "--disable-background-networking", "--disable-component-update",
             "--disable-sync", "--hide-scrollbars", "--remote-debugging-port=0",
             f"--user-data-dir={profile}", "about:blank"],
            stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )  # fmt: skip
        port_file = profile / "DevToolsActivePort"
        deadline = time.monotonic() + 30
        while not (port_file.exists() and len(port_file.read_text().split()) == 2):
            if self.process.poll() is not None or time.monotonic() > deadline:
                self.close()
                raise RuntimeError(f"chromium did not start (exit {self.process.returncode})")
            time.sleep(0.05)
        port, path = port_file.read_text().split()
        self.ws = connect(f"ws://127.0.0.1:{port}{path}", max_size=None, open_timeout=10)
        self.next_id = 0
        self.events: list[dict] = []
        target = self.call("Target.createTarget", url="about:blank")["targetId"]
        self.session = self.call("Target.attachToTarget", targetId=target, flatten=True)[
            "sessionId"
        ]
        for domain in ("Page", "Runtime", "Log", "Network"):
            self.call(f"{domain}.enable", session=True)

    def call(self, method: str, session: bool = False, **params: Any) -> dict:
        self.next_id += 1
        message: dict[str, Any] = {"id": self.next_id, "method": method, "params": params}
        if session:
            message["sessionId"] = self.session
        self.ws.send(json.dumps(message))
        while True:
            reply = json.loads(self.ws.recv(timeout=30))
            if reply.get("id") == self.next_id:
                if "error" in reply:
                    raise RuntimeError(f"{method}: {reply['error']}")
                return reply["result"]
            self.events.append(reply)

    def open(self, url: str, width: int = 1280, height: int = 1000) -> None:
        self.events.clear()
        self.call("Emulation.setDeviceMetricsOverride", session=True, width=width,
                  height=height, deviceScaleFactor=1, mobile=False)  # fmt: skip
        self.call("Page.navigate", session=True, url=url)
        deadline = time.monotonic() + 30
        while not any(e.get("method") == "Page.loadEventFired" for e in self.events):
            if time.monotonic() > deadline:
                raise RuntimeError(f"{url} did not load in 30 s")
            self.events.append(json.loads(self.ws.recv(timeout=30)))

    def evaluate(self, expression: str) -> Any:
        result = self.call("Runtime.evaluate", session=True, expression=expression,
                           returnByValue=True)  # fmt: skip
        if "exceptionDetails" in result:
            raise RuntimeError(f"{expression}: {result['exceptionDetails']}")
        return result["result"].get("value")

    def problems(self) -> list[str]:
        """Console errors and warnings, uncaught exceptions, error log entries (CSP
        violations among them)."""
        found = []
        for event in self.events:
            method, params = event.get("method"), event.get("params", {})
            if method == "Runtime.consoleAPICalled" and params["type"] in ("error", "warning"):
                found.append(f"console.{params['type']}: {params['args']}")
            elif method == "Runtime.exceptionThrown":
                found.append(f"exception: {params['exceptionDetails']}")
            elif method == "Log.entryAdded" and params["entry"]["level"] in ("error", "warning"):
                found.append(f"log {params['entry']['source']}: {params['entry']['text']}")
        return found

    def requests(self) -> list[str]:
        return [e["params"]["request"]["url"] for e in self.events
                if e.get("method") == "Network.requestWillBeSent"]  # fmt: skip

    def screenshot(self, path: Path, height: int) -> None:
        clip = {"x": 0, "y": 0, "width": 1280, "height": height, "scale": 1}
        shot = self.call("Page.captureScreenshot", session=True, format="png",
                         captureBeyondViewport=True, clip=clip)  # fmt: skip
        path.write_bytes(base64.b64decode(shot["data"]))

    def close(self) -> None:
        if getattr(self, "ws", None) is not None:
            self.ws.close()
        self.process.terminate()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(timeout=10)


@pytest.fixture(scope="module")
def browser(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Browser]:
    need_chromium()
    b = Browser(tmp_path_factory.mktemp("chromium-profile"))
    try:
        yield b
    finally:
        b.close()


DOM_FACTS = """JSON.stringify({
  title: document.title,
  charts: [...document.querySelectorAll('svg.chart')].map(s => ({
    id: s.id, bars: s.querySelectorAll('rect.bar').length,
    width: Math.round(s.getBoundingClientRect().width),
    widest: Math.max(0, ...[...s.querySelectorAll('rect.bar')].map(
      r => r.getBoundingClientRect().width))})),
  scripts: document.scripts.length,
  images: document.images.length,
  handlers: [...document.querySelectorAll('*')].filter(
    e => [...e.attributes].some(a => a.name.startsWith('on'))).length,
  licenceBottom: Math.ceil(document.getElementById('licences').getBoundingClientRect().bottom
                           + window.scrollY)
})"""


def test_chromium_renders_the_charts(browser: Browser, demo_report: Path, tmp_path: Path):
    started = time.perf_counter()
    browser.open(demo_report.as_uri())
    facts = json.loads(browser.evaluate(DOM_FACTS))
    assert facts["title"] == PAGE_TITLE
    assert [c["id"] for c in facts["charts"]] == list(CHARTS)
    for chart in facts["charts"]:  # laid out, with drawn bars
        assert chart["bars"] >= 2 and chart["width"] > 300 and chart["widest"] > 100, chart
    assert facts["charts"][0]["bars"] == 18  # the 17 goals (all present in the demo), no SDG
    assert browser.problems() == []
    assert browser.requests() == [demo_report.as_uri()]  # offline: nothing else fetched

    png = tmp_path / "report.png"
    browser.screenshot(png, facts["licenceBottom"] + 16)
    data = png.read_bytes()
    width, height = struct.unpack(">II", data[16:24])  # IHDR
    assert data[:8] == b"\x89PNG\r\n\x1a\n" and data[12:16] == b"IHDR"
    assert width == 1280 and height > 1500
    assert len(data) > 100_000  # a blank page of that size compresses to a few KB
    if target := os.environ.get("REPORT_PNG"):
        shutil.copyfile(png, target)
    print(f"chromium render and checks: {time.perf_counter() - started:.2f} s")


def test_chromium_runs_no_injected_code(browser: Browser, hostile_report: Path):
    browser.open(hostile_report.as_uri())
    facts = json.loads(browser.evaluate(DOM_FACTS))
    assert facts["title"] == PAGE_TITLE  # not 'pwned'
    assert facts["scripts"] == 0 and facts["images"] == 0 and facts["handlers"] == 0
    assert len(facts["charts"]) == len(CHARTS)
    assert browser.problems() == []  # not even a blocked script
    text = browser.evaluate("document.body.innerText")
    assert f"Lesson {SCRIPT}" in text and f"About {IMG}" in text
    links = browser.evaluate("[...document.links].map(a => a.protocol)")
    assert set(links) <= {"file:", "http:", "https:"}


def test_chromium_checks_can_fail(browser: Browser, tmp_path: Path):
    """The browser checks see a script that runs, and the CSP's refusal of one."""
    body = f"<!doctype html><title>{PAGE_TITLE}</title>{SCRIPT}"
    csp = '<meta http-equiv="Content-Security-Policy" content="default-src \'none\'">'
    (tmp_path / "open.html").write_text(body)
    (tmp_path / "csp.html").write_text(csp + body)
    browser.open((tmp_path / "open.html").as_uri())
    assert browser.evaluate("document.title") == "pwned"
    browser.open((tmp_path / "csp.html").as_uri())
    assert browser.evaluate("document.title") == PAGE_TITLE
    assert any("Content Security Policy" in p for p in browser.problems()), browser.events
