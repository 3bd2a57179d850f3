"""Authored text is HTML from untrusted hands: keep a small, harmless subset and drop the rest.

Trainers paste from Word, import GIFT ``[html]`` items and type into forms; whatever they write is
shown to every candidate. nh3 (the Rust ``ammonia`` sanitiser) parses it as a browser would and keeps
only the formatting tags below, with no attributes at all, so no script, style, event handler or
link can reach an exam page. Text that is not a tag is escaped (``a < b`` becomes ``a &lt; b``), so
a cleaned string is safe to render as markup and cleaning it again changes nothing.

Pictures: a stem (``clean(…, images=True)``) may show pictures of the bank's own media store,
``<img src="/media/<sha256>.png" alt="…">`` (``formats.media``), with no other attribute; every other
``<img>`` is escaped like any tag that is not allowed. Every kept picture has an ``alt``.

Nothing a trainer wrote disappears: a bracketed word that is not an allowed tag (``下列属于 <VIP>客户专线``,
Aiken's ``<html class="cool">``, even ``<script>``) is escaped and shown as written. Only the
presentational wrappers Word and Moodle put around text (``span``, ``div``, ``font``, ``a`` …) are
unwrapped, keeping their text.
"""

from __future__ import annotations

import html
import re

import nh3

from question_bank.formats.media import IMG_TAG_RE, URL_RE

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


_IMG_RE = IMG_TAG_RE
_SRC_RE = re.compile(r"""\bsrc\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s"'>]+))""", re.I)
_ALT_RE = re.compile(r"""\balt\s*=""", re.I)
_KEPT = "\x00IMG{}\x00"


def _media_src(tag: str) -> bool:
    m = _SRC_RE.search(tag)
    return bool(m) and URL_RE.fullmatch(next(g for g in m.groups() if g is not None) or "") is not None


def _escape_unknown(text: str, images: bool = False) -> tuple[str, list[str]]:
    """``text`` with every tag that is not allowed escaped; with ``images``, pictures of the bank's
    media store (``<img src="/media/…">``) are set aside (returned) to pass the sanitiser."""
    kept: list[str] = []

    def img(m):
        if images and _media_src(m.group(0)):
            kept.append(m.group(0))
            return _KEPT.format(len(kept) - 1)
        return "&lt;" + m.group(0)[1:]

    def sub(m):
        name = m.group(2).lower()
        return m.group(0) if name in ALLOWED_TAGS or name in UNWRAPPED_TAGS else "&lt;" + m.group(0)[1:]
    return _TAG_RE.sub(sub, _IMG_RE.sub(img, text.replace("\x00", ""))), kept


def _with_alt(m) -> str:
    """Every picture has an alt attribute (axe-core's rule); an empty one until the trainer writes it."""
    tag = m.group(0)
    return tag if _ALT_RE.search(tag) else tag[:-1].rstrip("/ ") + ' alt="">'


def clean(text: str, images: bool = False) -> str:
    """The safe markup of ``text``; idempotent. With ``images`` (a stem), ``<img>`` stays when it shows a
    picture of the bank's media store, with only its ``src`` and ``alt``; any other ``<img>`` is
    escaped and shown as written, like every tag that is not allowed."""
    escaped, kept = _escape_unknown(text, images)
    tags = set(ALLOWED_TAGS) | ({"img"} if kept else set())
    attributes = {"img": {"src", "alt"}} if kept else {}
    for n, tag in enumerate(kept):             # back in place for nh3 to strip their other attributes
        escaped = escaped.replace(_KEPT.format(n), tag, 1)
    cleaned = nh3.clean(escaped, tags=tags, attributes=attributes, strip_comments=True)
    if kept:
        cleaned = _IMG_RE.sub(_with_alt, cleaned)
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
