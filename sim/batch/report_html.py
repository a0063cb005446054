"""A Markdown report as one self-contained web page: ``report.md`` is written with ``report.html`` beside it.

The page is for a reader who opens a file, or an email attachment, and
forwards it: every figure is embedded (a ``data:`` URI), the style sheet is
inline, and nothing on it asks anything outside the file for anything (no
script, no fonts, no style sheet or image to fetch; a Content-Security-Policy
says so to the browser as well). Whatever the Markdown says is rendered, so
the page follows report.md as that changes: this module knows Markdown, not
the report.

The Markdown is read as CommonMark with GitHub's tables (markdown-it-py), so
the page shows what report.md shows on GitHub or in an editor's preview;
raw HTML in the Markdown is shown as text, never run. An image that is a
file in the folder is embedded; one that is missing, or not a file in the
folder (a web address), is replaced by a note in the text, so the page never
fetches it. Links stay links: a relative one (``contrast_regions.md``) works
when the page is opened in its results folder.
"""

from __future__ import annotations

import base64
import html
import re
from pathlib import Path
from urllib.parse import unquote, urlsplit

from markdown_it import MarkdownIt
from markdown_it.token import Token

from sim.output import replacing

IMAGE_TYPES = {".png": "image/png", ".jpg": "image/jpeg", ".jpeg": "image/jpeg", ".gif": "image/gif", ".svg": "image/svg+xml", ".webp": "image/webp"}
"""Images that are embedded, by file suffix, with their media type."""

NUMBER = re.compile(r"^\[?(?:[+\-−]?(?:\d[\d,]*(?:\.\d+)?|\.\d+)%?|n/a)(?:[\s;,\]]|$)")
"""A table cell that starts with a number (``0.474 ±0.002 [0.409, 0.533]``, ``+5.2``, ``[-0.063, -0.062]``, ``n/a``): right-aligned."""

KEEP_TOGETHER = re.compile(r"\[[^\]]*\]|\(d_z [^)]*\)| ±")
"""In a number cell, what a line never breaks inside: an interval ``[0.409, 0.533]``, an effect size ``(d_z 4.69)``, a mean and its ``±``."""

POLICY = "default-src 'none'; img-src data:; style-src 'unsafe-inline'"
"""The page's Content-Security-Policy: images only from data: URIs, the inline style sheet, nothing else."""

STYLE = """
:root { color-scheme: light; --ink: #1f2328; --muted: #59636e; --rule: #d1d9e0; --zebra: #f6f8fa; --code: #eff1f3; --accent: #1b6ca8; }
* { box-sizing: border-box; }
html { font-size: 100%; -webkit-text-size-adjust: 100%; }
body { margin: 0; color: var(--ink); background: #fff;
       font-family: system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, "Noto Sans", sans-serif; line-height: 1.55; }
main { max-width: 72rem; margin: 0 auto; padding: 2rem 1.5rem 4rem; }
main > p, main > ul, main > ol, main > blockquote { max-width: 48rem; }
h1 { font-size: 1.9rem; line-height: 1.25; margin: 0 0 1rem; }
h2 { font-size: 1.4rem; line-height: 1.3; margin: 2.5rem 0 0.75rem; padding-bottom: 0.3rem; border-bottom: 1px solid var(--rule); }
h3 { font-size: 1.15rem; margin: 1.75rem 0 0.5rem; }
h4, h5, h6 { font-size: 1rem; margin: 1.5rem 0 0.5rem; }
p, ul, ol { margin: 0 0 0.9rem; }
li { margin: 0.2rem 0; }
a { color: var(--accent); }
code { font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, "Liberation Mono", monospace; font-size: 0.88em;
       background: var(--code); border-radius: 4px; padding: 0.1em 0.3em; overflow-wrap: anywhere; }
pre { background: var(--code); padding: 0.75rem 1rem; border-radius: 6px; overflow-x: auto; }
pre code { background: none; padding: 0; overflow-wrap: normal; }
blockquote { margin: 0 0 1rem; padding: 0 1rem; color: var(--muted); border-left: 4px solid var(--rule); }
hr { border: 0; border-top: 1px solid var(--rule); margin: 2rem 0; }
img { display: block; max-width: 100%; height: auto; margin: 1rem 0; }
.table { overflow-x: auto; margin: 0 0 1.25rem; }
table { border-collapse: collapse; font-size: 0.875rem; font-variant-numeric: tabular-nums; }
th, td { padding: 0.3rem 0.65rem; border-bottom: 1px solid var(--rule); text-align: left; vertical-align: top; }
th { background: #eaeef2; font-weight: 600; border-bottom: 2px solid var(--rule); }
tbody tr:nth-child(even) { background: var(--zebra); }
td.num, th.num { text-align: right; }
.missing { color: #9a2a2a; font-style: italic; }
footer { max-width: 72rem; margin: 0 auto; padding: 0 1.5rem 2rem; color: var(--muted); font-size: 0.85rem; }
@media print {
  @page { margin: 15mm; }
  body { font-size: 10pt; }
  main { max-width: none; padding: 0; }
  main > p, main > ul, main > ol { max-width: none; }
  .table { overflow: visible; }
  table { font-size: 8pt; }
  h1, h2, h3 { break-after: avoid; page-break-after: avoid; }
  img, tr { break-inside: avoid; page-break-inside: avoid; }
  th, tbody tr { -webkit-print-color-adjust: exact; print-color-adjust: exact; }
  a { color: inherit; text-decoration: none; }
  footer { padding: 0; }
}
""".strip()


def write(path: str | Path, text: str) -> Path:
    """Write the Markdown ``text`` to ``path`` (``X.md``) and its page beside it (``X.html``); returns the page's path.

    Both files are replaced together or not at all (:func:`sim.output.replacing`),
    so a kill or a full disk never leaves a page that says something else than
    the Markdown beside it.
    """
    path = Path(path)
    target = path.with_suffix(".html")
    document = page(text, path.parent, path.name)
    with replacing(path, target) as (markdown_tmp, html_tmp):
        markdown_tmp.write_text(text, encoding="utf-8")
        html_tmp.write_text(document, encoding="utf-8")
    return target


def page(text: str, folder: Path, source: str = "report.md") -> str:
    """The complete HTML document for the Markdown ``text``; relative images are read from ``folder``."""
    parser = _parser()
    tokens = parser.parse(text)
    for token in tokens:
        if token.type == "inline" and token.children:
            token.children = [_embedded(child, folder) for child in token.children]
    _align_numbers(tokens)
    body = parser.renderer.render(tokens, parser.options, {})
    title = _title(tokens) or Path(source).stem
    return (
        "<!DOCTYPE html>\n"
        '<html lang="en">\n<head>\n<meta charset="utf-8">\n'
        f'<meta http-equiv="Content-Security-Policy" content="{POLICY}">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f"<title>{html.escape(title)}</title>\n<style>\n{STYLE}\n</style>\n</head>\n<body>\n<main>\n{body}</main>\n"
        f"<footer>This page is {html.escape(source)} with its figures inside: it needs no internet and can be forwarded as it is. "
        "The other files it names are in its results folder.</footer>\n"
        "</body>\n</html>\n"
    )


def _parser() -> MarkdownIt:
    parser = MarkdownIt("commonmark", {"html": False}).enable("table")
    parser.add_render_rule("table_open", lambda self, tokens, idx, options, env: '<div class="table">\n' + self.renderToken(tokens, idx, options, env))
    parser.add_render_rule("table_close", lambda self, tokens, idx, options, env: self.renderToken(tokens, idx, options, env) + "</div>\n")
    return parser


def _embedded(token: Token, folder: Path) -> Token:
    """An image token with its file as a data: URI, or in its place a note saying which figure is not there."""
    if token.type != "image":
        return token
    address = str(token.attrGet("src") or "")
    data = _data_uri(address, folder)
    if data is not None:
        token.attrSet("src", data)
        return token
    note = Token("html_inline", "", 0)  # html_inline renders as given, so the note can carry a class; its text is escaped here
    alt = token.content or "figure"
    note.content = f'<span class="missing">[{html.escape(alt)}: {html.escape(address)} is not in the folder]</span>'
    return note


def _data_uri(address: str, folder: Path) -> str | None:
    """``data:image/png;base64,...`` for an image file in ``folder`` (a relative address); None for anything else."""
    parts = urlsplit(address)
    if parts.scheme or parts.netloc or not parts.path or parts.path.startswith("/"):
        return None  # a web address, or an absolute path: never fetched, never read
    path = (folder / unquote(parts.path)).resolve()
    media = IMAGE_TYPES.get(path.suffix.lower())
    if media is None or not path.is_file() or not path.is_relative_to(folder.resolve()):
        return None  # not an image, not there, or outside the results folder
    return f"data:{media};base64," + base64.b64encode(path.read_bytes()).decode("ascii")


def _align_numbers(tokens: list[Token]) -> None:
    """Mark the columns of every table whose body cells all start with a number (or are empty) ``class="num"``: right-aligned."""
    start = None
    for index, token in enumerate(tokens):
        if token.type == "table_open":
            start = index
        elif token.type == "table_close" and start is not None:
            _align_table(tokens[start:index + 1])
            start = None


def _align_table(tokens: list[Token]) -> None:
    columns: dict[int, list[int]] = {}  # column -> the positions of its th_open and td_open tokens (each followed by the cell's inline token)
    column = 0
    for index, token in enumerate(tokens):
        if token.type == "tr_open":
            column = 0
        elif token.type in ("th_open", "td_open"):
            columns.setdefault(column, []).append(index)
            column += 1
    for cells in columns.values():
        body = [tokens[i + 1].content.strip() for i in cells if tokens[i].type == "td_open"]
        if not any(body) or not all(NUMBER.match(text) for text in body if text):
            continue
        for i in cells:
            tokens[i].attrJoin("class", "num")
            for child in tokens[i + 1].children or []:
                if child.type == "text":
                    child.content = KEEP_TOGETHER.sub(lambda m: m.group(0).replace(" ", "\u00a0"), child.content)


def _title(tokens: list[Token]) -> str | None:
    """The plain text of the first heading."""
    for index, token in enumerate(tokens):
        if token.type == "heading_open":
            inline = tokens[index + 1]
            return "".join(child.content for child in inline.children or [] if child.type in ("text", "code_inline")).strip() or None
    return None
