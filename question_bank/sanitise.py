"""Authored text is HTML from untrusted hands: keep a small, harmless subset and drop the rest.

Trainers paste from Word, import GIFT ``[html]`` items and type into forms; whatever they write is
shown to every candidate. nh3 (the Rust ``ammonia`` sanitiser) parses it as a browser would and keeps
only the formatting tags below, with no attributes at all, so no script, style, event handler or
link can reach an exam page. Text that is not a tag is escaped (``a < b`` becomes ``a &lt; b``), so
a cleaned string is safe to render as markup and cleaning it again changes nothing.
"""

from __future__ import annotations

import html

import nh3

ALLOWED_TAGS = frozenset({
    "b", "strong", "i", "em", "u", "sub", "sup", "br", "p", "ul", "ol", "li", "code", "pre",
    "table", "thead", "tbody", "tr", "th", "td",
})


def clean(text: str) -> str:
    """The safe markup of ``text``; idempotent."""
    return nh3.clean(text, tags=set(ALLOWED_TAGS), attributes={}, strip_comments=True).strip()


def plain(text: str) -> str:
    """The words of a cleaned text without any markup, for comparison and search."""
    return html.unescape(nh3.clean(text, tags=set(), attributes={})).strip()
