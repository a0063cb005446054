"""Text with a little Markdown (paragraphs, ``-`` bullets, ``**bold**``, ``*italics*``, ``####`` headings) as safe HTML.

The app's explanations are written in this subset. Solara's own Markdown
component is not used because it loads a mathematics library (KaTeX) from
the asset server on every page, which the offline asset bundle lacks. Text
is HTML-escaped first, so a scenario file's description cannot inject markup.
"""

from __future__ import annotations

import html
import re

_BOLD = re.compile(r"\*\*(.+?)\*\*")
_ITALIC = re.compile(r"(?<![\w*])\*(?!\s)(.+?)(?<!\s)\*(?![\w*])")


def _inline(text: str) -> str:
    text = html.escape(text, quote=False)
    text = _BOLD.sub(r"<strong>\1</strong>", text)
    return _ITALIC.sub(r"<em>\1</em>", text)


def to_html(text: str) -> str:
    """``text`` as HTML: blank lines separate paragraphs; lines starting ``- `` are list items; ``#### `` a heading."""
    parts: list[str] = []
    items: list[str] = []
    paragraph: list[str] = []

    def flush() -> None:
        if paragraph:
            parts.append(f"<p>{_inline(' '.join(paragraph))}</p>")
            paragraph.clear()
        if items:
            parts.append("<ul>" + "".join(f"<li>{_inline(item)}</li>" for item in items) + "</ul>")
            items.clear()

    for raw in text.strip().splitlines():
        line = raw.strip()
        if not line:
            flush()
        elif line.startswith("- "):
            if paragraph:
                flush()
            items.append(line[2:])
        elif line.startswith("#"):
            flush()
            level = min(6, len(line) - len(line.lstrip("#")))
            parts.append(f"<h{level}>{_inline(line.lstrip('#').strip())}</h{level}>")
        elif items and raw.startswith((" ", "\t")):
            items[-1] += " " + line  # a list item continued on the next line
        else:
            if items:
                flush()
            paragraph.append(line)
    flush()
    return "".join(parts)
