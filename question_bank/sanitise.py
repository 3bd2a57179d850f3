"""Authored text is HTML from untrusted hands: keep a small, harmless subset and drop the rest.

Trainers paste from Word, import GIFT ``[html]`` items and type into forms; whatever they write is
shown to every candidate. nh3 (the Rust ``ammonia`` sanitiser) parses it as a browser would and keeps
only the formatting tags below, with no attributes at all, so no script, style, event handler or
link can reach an exam page. Text that is not a tag is escaped (``a < b`` becomes ``a &lt; b``), so
a cleaned string is safe to render as markup and cleaning it again changes nothing.

What counts as a tag is decided here, before nh3 sees the text, because a browser's parser (and so
nh3) reads ``<b`` as the start of a tag whatever follows and swallows the rest of the field into it
(``若 A<B，则`` would keep only ``若 A``). A ``<`` is markup only when it begins a complete tag of an
allowed or unwrapped name — ``<name>``, ``</name>``, ``<name attr="…">``, ``<name/>`` — and an ``&`` only
when it begins a complete character reference (``&amp;``, ``&#45;``; a bare ``&not`` would otherwise be
read as ``¬``). Every other ``<`` and ``&`` is escaped, so it is shown as written.

Pictures: a stem (``clean(…, images=True)``) may show pictures of the bank's own media store,
``<img src="/media/<sha256>.png" alt="…">`` (``formats.media``), with no other attribute; every other
``<img>`` is escaped like any tag that is not allowed. Every kept picture has an ``alt``.

Nothing a trainer wrote disappears: a bracketed word that is not an allowed tag (``下列属于 <VIP>客户专线``,
Aiken's ``<html class="cool">``, even ``<script>``) is escaped and shown as written. Only the
presentational wrappers Word and Moodle put around text (``span``, ``div``, ``font``, ``a`` …) are
unwrapped, keeping their text, and attributes are dropped; ``changes`` names what was dropped so an
import preview and the authoring form can say it (nothing changes silently).
"""

from __future__ import annotations

import html
import re
from html.entities import html5 as _ENTITIES

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
#: One attribute as HTML writes it: an ASCII name, optionally ``=`` and a quoted or bare value.
_ATTR_NAME = r"[A-Za-z_:][-A-Za-z0-9_:.]*"
_ATTR_VALUE = r"""(?:\s*=\s*(?:"[^"]*"|'[^']*'|[^\s"'=<>`]+))?"""
_ATTR_NAME_RE = re.compile(rf"\s+({_ATTR_NAME}){_ATTR_VALUE}")
#: A complete tag: ``<name>``, ``</name>``, ``<name attr="…" …>``, ``<name/>``.
_TAG = rf"""<(?P<end>/?)(?P<name>[A-Za-z][A-Za-z0-9:-]*)(?P<attrs>(?:\s+{_ATTR_NAME}{_ATTR_VALUE})*)\s*/?>"""
_TAG_RE = re.compile(_TAG)
#: The pieces of authored text: a picture, a complete tag, a complete character reference, or a lone
#: ``<`` / ``&`` (text). Anything else is text that needs no escaping.
_PIECE_RE = re.compile(
    rf"""(?P<img>{IMG_TAG_RE.pattern})|(?P<tag>{_TAG})"""
    r"""|(?P<ref>&(?:\#[0-9]{1,7}|\#[xX][0-9a-fA-F]{1,6}|(?P<entity>[A-Za-z][A-Za-z0-9]{0,31}));)"""
    r"""|(?P<lt><)|(?P<amp>&)""", re.I)
_BR_RE = re.compile(r"[ \t]*<br\s*/?>[ \t]*", re.I)


_SRC_RE = re.compile(r"""\bsrc\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s"'>]+))""", re.I)
_ALT_RE = re.compile(r"""\balt\s*=""", re.I)
_KEPT = "\x00IMG{}\x00"
_KEPT_RE = re.compile("\x00IMG[0-9]+\x00")


def _media_src(tag: str) -> bool:
    m = _SRC_RE.search(tag)
    return bool(m) and URL_RE.fullmatch(next(g for g in m.groups() if g is not None) or "") is not None


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;")


class _Reading:
    """``text`` split into what nh3 may see as markup and what must be shown as written, with what the
    sanitiser will drop from the markup (wrappers, attributes), for ``changes``."""

    def __init__(self, text: str, images: bool):
        self.kept: list[str] = []            # pictures set aside to pass the sanitiser
        self.unwrapped: list[str] = []       # wrapper tags dropped (their text stays)
        self.attributes: list[str] = []      # tags whose attributes are dropped
        self.images = images
        self.escaped = _PIECE_RE.sub(self._piece, text.replace("\x00", ""))

    def _piece(self, m) -> str:
        if m.group("img") is not None:
            tag = m.group("img")
            if self.images and _media_src(tag):
                extra = [a for a in _ATTR_NAME_RE.findall(tag[4:-1]) if a.lower() not in ("src", "alt")]
                if extra:
                    self.attributes.append("<img " + " ".join(extra) + ">")
                self.kept.append(tag)
                return _KEPT.format(len(self.kept) - 1)
            return _escape(tag)
        if m.group("tag") is not None:
            name = m.group("name").lower()
            if name not in ALLOWED_TAGS and name not in UNWRAPPED_TAGS:
                return _escape(m.group("tag"))
            if name in UNWRAPPED_TAGS and not m.group("end"):
                self.unwrapped.append(f"<{name}>")
            elif m.group("attrs").strip() and not m.group("end"):     # an unwrapped tag goes whole
                self.attributes.append(f"<{name}{m.group('attrs')}>")
            return m.group("tag")
        if m.group("ref") is not None:
            entity = m.group("entity")
            return m.group("ref") if entity is None or entity + ";" in _ENTITIES else _escape(m.group("ref"))
        return "&lt;" if m.group("lt") is not None else "&amp;"

    def text(self) -> str:
        """The words a reader sees, as the escaping alone leaves them (tags and pictures taken out)."""
        return html.unescape(_TAG_RE.sub("", _KEPT_RE.sub("", self.escaped)))


def _with_alt(m) -> str:
    """Every picture has an alt attribute (axe-core's rule); an empty one until the trainer writes it."""
    tag = m.group(0)
    return tag if _ALT_RE.search(tag) else tag[:-1].rstrip("/ ") + ' alt="">'


def _sanitise(reading: _Reading) -> str:
    escaped, kept = reading.escaped, reading.kept
    tags = set(ALLOWED_TAGS) | ({"img"} if kept else set())
    attributes = {"*": set(), **({"img": {"src", "alt"}} if kept else {})}   # "*": no generic title/lang either
    for n, tag in enumerate(kept):             # back in place for nh3 to strip their other attributes
        escaped = escaped.replace(_KEPT.format(n), tag, 1)
    cleaned = nh3.clean(escaped, tags=tags, attributes=attributes, strip_comments=True)
    if kept:
        cleaned = IMG_TAG_RE.sub(_with_alt, cleaned)
    # one way to break a line: a newline (stems and options are shown white-space: pre-line), so a
    # plain-text export (Aiken, CSV, XLSX) writes a line break, never "<br>"
    return _BR_RE.sub("\n", cleaned).strip()


#: Characters the sanitiser may change; text without any of them is returned as it is (stripped), which
#: is most authored text, so an import of thousands of items does not parse each field (benchmarks/bank_formats.py).
_TOUCHED_RE = re.compile("[<>&\r\x00\xa0\ufeff]")


def clean(text: str, images: bool = False) -> str:
    """The safe markup of ``text``; idempotent. With ``images`` (a stem), ``<img>`` stays when it shows a
    picture of the bank's media store, with only its ``src`` and ``alt``; any other ``<img>`` is
    escaped and shown as written, like every tag that is not allowed."""
    if not _TOUCHED_RE.search(text):
        return text.strip()
    return _sanitise(_Reading(text, images))


_SPACE = re.compile(r"\s+")
# how much of a dropped attribute a preview note quotes before cutting it short
_ATTRIBUTE_SHOWN = 60


def changes(text: str, images: bool = False) -> list[str]:
    """What ``clean`` does to ``text`` beyond escaping, in Chinese, for an import preview or the authoring
    form: wrapper tags unwrapped, attributes dropped, and any difference in the words a reader sees
    (a browser moves text written inside a table but outside its cells in front of the table). Empty
    when cleaning only escapes (``若 A<B`` → ``若 A&lt;B``) or keeps allowed formatting."""
    if "<" not in text:           # no tag: at most escaping and character references, nothing dropped
        return []
    reading = _Reading(text, images)
    out = []
    if reading.unwrapped:
        names = "、".join(dict.fromkeys(reading.unwrapped))
        out.append(f"去掉了不支持的格式标签 {names}（其中的文字保留）")
    if reading.attributes:
        shown = "、".join(dict.fromkeys(a if len(a) <= _ATTRIBUTE_SHOWN else a[:_ATTRIBUTE_SHOWN - 3] + "…>" for a in reading.attributes))
        out.append(f"去掉了标签的属性（{shown}）：只保留加粗、列表、表格等格式本身")
    after = plain(_sanitise(reading))
    if _SPACE.sub("", after) != _SPACE.sub("", reading.text()):
        shown = after if len(after) <= 80 else after[:79] + "…"
        out.append(f"显示的文字与原文不同（如表格中单元格以外的文字会移到表格前），请核对：“{shown}”")
    return out


_WRITTEN_RE = re.compile("&(lt|gt|amp);")
_WRITTEN = {"lt": "<", "gt": ">", "amp": "&"}


def for_editing(markup: str, images: bool = False) -> str:
    """Stored markup as the trainer wrote it, for the authoring form: the ``&lt;``, ``&gt;`` and ``&amp;``
    that cleaning put in are written back as ``<``, ``>`` and ``&`` (a trainer who typed ``若 A<B`` sees
    ``若 A<B`` again, not ``若 A&lt;B``). Only when cleaning the result gives the same markup back, so
    saving the form unchanged changes nothing; otherwise (the text shows a tag as words, ``&lt;b&gt;``)
    the markup is shown as stored."""
    written = _WRITTEN_RE.sub(lambda m: _WRITTEN[m.group(1)], markup)
    return written if written != markup and clean(written, images) == markup else markup


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
