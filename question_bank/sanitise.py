"""Authored text is HTML from untrusted hands: keep a small, harmless subset and drop the rest.

Trainers paste from Word, import GIFT ``[html]`` items and type into forms; whatever they write is
shown to every candidate. nh3 (the Rust ``ammonia`` sanitiser) parses it as a browser would and keeps
only the formatting tags below, with no attributes at all, so no script, style, event handler or
link can reach an exam page. Text that is not a tag is escaped (``a < b`` becomes ``a &lt; b``), so
a cleaned string is safe to render as markup and cleaning it again changes nothing.

Nothing a trainer wrote disappears: a bracketed word that is not an allowed tag (``下列属于 <VIP>客户专线``,
Aiken's ``<html class="cool">``, even ``<script>``) is escaped and shown as written. Only the
presentational wrappers Word and Moodle put around text (``span``, ``div``, ``font``, ``a`` …) are
unwrapped, keeping their text.
"""

from __future__ import annotations

import html
import re

import nh3

ALLOWED_TAGS = frozenset({
    "b", "strong", "i", "em", "u", "sub", "sup", "br", "p", "ul", "ol", "li", "code", "pre",
    "table", "thead", "tbody", "tr", "th", "td",
})


#: Wrappers whose tags are dropped and whose text is kept.
UNWRAPPED_TAGS = frozenset({
    "span", "div", "font", "a", "small", "big", "center", "s", "strike", "del", "ins", "mark", "abbr", "cite",
    "q", "blockquote", "h1", "h2", "h3", "h4", "h5", "h6", "hr", "caption", "tfoot", "col", "colgroup", "label",
    "section", "article", "header", "footer", "figure", "figcaption", "dl", "dt", "dd", "tt", "kbd", "samp", "var",
    "o:p", "nobr", "wbr",
})
_TAG_RE = re.compile(r"<(/?)([A-Za-z][A-Za-z0-9:_-]*)")
_BR_RE = re.compile(r"[ \t]*<br\s*/?>[ \t]*", re.I)


def _escape_unknown(text: str) -> str:
    def sub(m):
        name = m.group(2).lower()
        return m.group(0) if name in ALLOWED_TAGS or name in UNWRAPPED_TAGS else "&lt;" + m.group(0)[1:]
    return _TAG_RE.sub(sub, text)


def clean(text: str) -> str:
    """The safe markup of ``text``; idempotent."""
    cleaned = nh3.clean(_escape_unknown(text), tags=set(ALLOWED_TAGS), attributes={}, strip_comments=True)
    # one way to break a line: a newline (stems and options are shown white-space: pre-line), so a
    # plain-text export (Aiken, CSV, XLSX) writes a line break, never "<br>"
    return _BR_RE.sub("\n", cleaned).strip()


def plain(text: str) -> str:
    """The words of a cleaned text without any markup, for comparison and search."""
    return html.unescape(nh3.clean(text, tags=set(), attributes={})).strip()


def from_text(text: str) -> str:
    """Plain text someone typed in a cell, as markup: ``clean`` escapes what looks like a tag, so ``<VIP>``
    and ``&`` stay as written (line breaks are kept as typed)."""
    return text.strip()


def to_text(markup: str) -> str | None:
    """The plain text of markup that is only text and line breaks (``from_text`` gives it back), or None
    when it holds formatting a plain-text format cannot carry."""
    if "<" in markup:          # formatting (bold, paragraphs, tables): not plain text
        return None
    return html.unescape(markup)
