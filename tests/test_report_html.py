"""report.html: report.md as one page that opens from a file with no internet, and reports that name only the files they wrote.

The browser test opens the page from a file:// address in Debian's Chromium
with every request but the page itself refused and recorded; like the app's
browser tests it never skips: without Chromium it fails and says how to
install it. The other tests read the HTML as text.
"""

from __future__ import annotations

import base64
import re
from html.parser import HTMLParser
from pathlib import Path

import pytest

from sim.batch import report_html
from sim.cli import main

try:
    from playwright.sync_api import expect
except ImportError:  # pragma: no cover - a broken install, not a reason to skip
    pytest.fail("the browser tests need Playwright from PyPI: pip install -e '.[dev]' (never 'playwright install')", pytrace=False)

TIMEOUT = 30_000  # ms
RESOURCE_TAGS = {"script", "link", "iframe", "frame", "object", "embed", "base", "audio", "video", "source", "track", "svg"}
"""Tags that would load something (or run something) on their own: none belongs in the page."""


@pytest.fixture(scope="module")
def compared(tmp_path_factory) -> Path:
    """``run.py compare`` of two scenarios, 2 seeds, 3 months, 60 households: a real folder with figures and every table."""
    out = tmp_path_factory.mktemp("html") / "compare"
    assert main(["compare", "paternalistic", "co_production", "--seeds", "2", "--steps", "3", "--set", "community.residents=60",
                 "--workers", "1", "--out", str(out), "--quiet"]) == 0
    return out


class Page(HTMLParser):
    """Every tag of an HTML document with its attributes, and the text of ``<title>`` and ``<style>``."""

    def __init__(self, text: str):
        super().__init__()
        self.tags: list[tuple[str, dict[str, str]]] = []
        self.texts: dict[str, str] = {}
        self._open: str | None = None
        self.feed(text)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, {name: value or "" for name, value in attrs}))
        self._open = tag

    def handle_data(self, data: str) -> None:
        if self._open in ("title", "style", "h1"):
            self.texts[self._open] = self.texts.get(self._open, "") + data

    def handle_endtag(self, tag: str) -> None:
        self._open = None

    def all(self, tag: str) -> list[dict[str, str]]:
        return [attrs for name, attrs in self.tags if name == tag]


def figures_in(markdown: str) -> list[str]:
    return re.findall(r"!\[[^\]]*\]\(([^)]+)\)", markdown)


def first_heading(markdown: str) -> str:
    return next(line[2:].strip() for line in markdown.splitlines() if line.startswith("# "))


def plain(text: str) -> str:
    """Text with the Markdown marks a reader does not see (bold, code, list bullets) and line breaks taken out."""
    text = re.sub(r"^\s*[-*] ", "", text, flags=re.MULTILINE)
    return " ".join(text.replace("**", "").replace("`", "").split())


# -- the page as text -----------------------------------------------------------------------------------------------


def test_the_page_asks_nothing_outside_the_file(compared):
    page = Page((compared / "report.html").read_text(encoding="utf-8"))
    assert not [tag for tag, _ in page.tags if tag in RESOURCE_TAGS]
    images = page.all("img")
    assert len(images) == len(figures_in((compared / "report.md").read_text())) >= 1
    assert all(image["src"].startswith("data:image/png;base64,") for image in images)
    for tag, attrs in page.tags:
        for name, value in attrs.items():
            if (tag, name) == ("a", "href"):
                continue  # a link is followed only if the reader clicks it
            assert not re.match(r"^\s*(https?:)?//", value), f"<{tag} {name}={value[:80]!r}> reaches outside the file"
    assert "url(" not in page.texts["style"] and "@import" not in page.texts["style"]
    policy = next(m["content"] for m in page.all("meta") if m.get("http-equiv") == "Content-Security-Policy")
    assert "default-src 'none'" in policy and "img-src data:" in policy


def test_the_images_are_the_figures_and_the_title_is_the_heading(compared):
    markdown = (compared / "report.md").read_text()
    page = Page((compared / "report.html").read_text(encoding="utf-8"))
    embedded = [base64.b64decode(image["src"].split(",", 1)[1]) for image in page.all("img")]
    assert embedded == [(compared / name).read_bytes() for name in figures_in(markdown)]
    assert page.texts["title"] == page.texts["h1"] == first_heading(markdown)
    assert page.all("html") == [{"lang": "en"}]
    assert {"charset": "utf-8"} in page.all("meta")


def test_rebuilding_the_report_writes_the_same_page(compared):
    before = (compared / "report.html").read_bytes()
    (compared / "report.html").unlink()
    assert main(["report", str(compared)]) == 0
    assert (compared / "report.html").read_bytes() == before
    assert not list(compared.glob("*.tmp"))


def test_the_markdown_and_its_page_are_replaced_together(tmp_path, monkeypatch):
    report_html.write(tmp_path / "report.md", "# Before\n")
    real_write_text = Path.write_text

    def html_fails(self, text, *args, **kwargs):
        if self.name.endswith(".html.tmp"):
            raise OSError(28, "No space left on device")
        return real_write_text(self, text, *args, **kwargs)

    monkeypatch.setattr(Path, "write_text", html_fails)
    with pytest.raises(OSError):
        report_html.write(tmp_path / "report.md", "# After\n")
    monkeypatch.undo()
    assert (tmp_path / "report.md").read_text() == "# Before\n" and "<h1>Before</h1>" in (tmp_path / "report.html").read_text()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["report.html", "report.md"]


def test_missing_or_outside_images_raw_html_and_number_columns(tmp_path):
    folder = tmp_path / "out"
    (folder / "figures").mkdir(parents=True)
    (folder / "figures" / "here.png").write_bytes(b"\x89PNG\r\n\x1a\nnot really")
    (tmp_path / "elsewhere.png").write_bytes(b"\x89PNG\r\n\x1a\nnot really")
    text = ("# A <b>title</b>\n\n<script>alert(1)</script>\n\n![here](figures/here.png) ![gone](figures/gone.png) ![web](https://example.org/x.png) "
            "![outside](../elsewhere.png)\n\n"
            "| outcome | change | draws agreeing |\n|---|---|---|\n| trust | +0.188 [+0.187, +0.189] | raises in 10 of 10 |\n| cost | n/a | lowers in 9 of 10 |\n")
    html = report_html.page(text, folder)
    page = Page(html)
    assert [image["src"][:22] for image in page.all("img")] == ["data:image/png;base64,"]
    for address in ("figures/gone.png", "https://example.org/x.png", "../elsewhere.png"):
        assert f"{address} is not in the folder" in html
    assert "<script>" not in html and "&lt;script&gt;" in html
    assert page.texts["title"] == "A <b>title</b>"  # shown as text, never markup
    cells = [(tag, attrs.get("class")) for tag, attrs in page.tags if tag in ("th", "td")]
    assert cells == [("th", None), ("th", "num"), ("th", None), ("td", None), ("td", "num"), ("td", None), ("td", None), ("td", "num"), ("td", None)]
    assert "[+0.187,\u00a0+0.189]" in html  # an interval never breaks across lines


# -- only what exists ------------------------------------------------------------------------------------------------


def named_files(report: str) -> list[str]:
    """The files the report's Files section names (backticked names with a suffix, or a glob)."""
    section = report.split("\n## Files\n", 1)[1].split("\n## ", 1)[0]
    return [name for name in re.findall(r"`([^`\s]+)`", section) if "." in name or name.endswith("/")]


def assert_named_files_exist(folder: Path, printed: str) -> None:
    report = (folder / "report.md").read_text()
    for name in named_files(report):
        found = list(folder.glob(name)) if "*" in name else [folder / name]
        assert found and all(path.exists() for path in found), f"report.md names {name}, which {folder} does not hold"
    last = printed.strip().splitlines()[-1]
    assert last.startswith(f"report: {folder / 'report.md'} and report.html"), last
    for name in re.findall(r"[\w./-]+\.(?:csv|md|html)\b", last):
        assert (folder / Path(name).name).exists(), f"the console names {name}, which {folder} does not hold: {last}"


def test_a_batch_without_a_baseline_contrast_names_only_its_files(tmp_path, capsys):
    (tmp_path / "e.toml").write_text('name = "one"\nscenarios = ["co_production"]\nseeds = 2\nsteps = 3\noutcomes = ["trust_landlord", "cost"]\n'
                                     "[constants]\ncommunity.residents = 60\n")
    out = tmp_path / "out"
    assert main(["batch", str(tmp_path / "e.toml"), "--workers", "1", "--out", str(out), "--quiet"]) == 0
    printed = capsys.readouterr().out
    assert not (out / "differences.csv").exists() and not (out / "returns.csv").exists()
    report = (out / "report.md").read_text()
    assert "differences.csv" not in report and "returns.csv" not in report and "differences.csv" not in printed
    assert {"report.html", "summary.csv", "manifest.json"} <= set(named_files(report))
    assert_named_files_exist(out, printed)


def test_a_comparison_names_every_table_it_wrote(compared, capsys):
    assert main(["report", str(compared)]) == 0
    printed = capsys.readouterr().out
    assert "tables summary.csv, differences.csv, returns.csv" in printed and f"figures in {compared / 'figures'}" in printed
    assert {"report.html", "summary.csv", "differences.csv", "returns.csv", "figures/"} <= set(named_files((compared / "report.md").read_text()))
    assert_named_files_exist(compared, printed)


# -- in a real browser, with no internet -----------------------------------------------------------------------------


def test_the_page_opens_in_chromium_with_every_outside_request_blocked(compared, browser):
    path = (compared / "report.html").resolve()
    markdown = (compared / "report.md").read_text()
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    refused: list[str] = []

    def only_the_file(route) -> None:
        if route.request.url == path.as_uri():
            route.continue_()
        else:
            refused.append(route.request.url)
            route.abort("blockedbyclient")

    context.route("**/*", only_the_file)
    page = context.new_page()
    page.set_default_timeout(TIMEOUT)
    problems: list[str] = []
    page.on("pageerror", lambda error: problems.append(str(error)))
    page.on("console", lambda message: problems.append(message.text) if message.type in ("error", "warning") else None)
    try:
        page.goto(path.as_uri())
        expect(page.locator("h1")).to_have_text(first_heading(markdown))
        expect(page).to_have_title(first_heading(markdown))
        images = page.locator("img")
        expect(images).to_have_count(len(figures_in(markdown)))
        assert images.count() >= 1
        page.wait_for_function("[...document.images].every(image => image.complete)")
        widths = page.evaluate("[...document.images].map(image => image.naturalWidth)")
        assert all(width > 0 for width in widths), f"figures that did not load: {widths}"
        tables = page.locator("table")
        expect(tables).to_have_count(markdown.count("\n|---"))
        rows = page.evaluate("[...document.querySelectorAll('table')].map(table => table.tBodies[0] ? table.tBodies[0].rows.length : 0)")
        assert all(count > 0 for count in rows), f"tables without rows: {rows}"
        opening = page.evaluate("""() => {
            const parts = [];
            for (let node = document.querySelector('h1').nextElementSibling; node && node.tagName !== 'H2'; node = node.nextElementSibling) {
                parts.push(node.innerText);
            }
            return parts.join(' ');
        }""")
        expected = markdown.split("\n", 1)[1].split("\n## ", 1)[0]
        assert " ".join(opening.split()) == plain(expected)
    finally:
        context.close()
    assert refused == [], f"the page asked for something outside its file: {refused}"
    assert problems == [], f"errors in the page: {problems}"
