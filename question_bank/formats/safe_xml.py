"""Parses XML that arrives from outside (Moodle XML, QTI packages) without trusting it.

An uploaded file may carry a DOCTYPE with entity definitions (billion laughs, quadratic blow-up) or
external entities (XXE: ``<!ENTITY x SYSTEM "file:///etc/passwd">``). lxml is asked never to
resolve entities, never to load a DTD and never to touch the network, and a document that declares
a DOCTYPE at all is refused: neither Moodle XML nor QTI needs one.
"""

from __future__ import annotations

from lxml import etree

from question_bank.formats import FormatError

MAX_DEPTH_HINT = "文件不是格式正确的 XML"


def _parser() -> etree.XMLParser:
    return etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False, dtd_validation=False,
                           huge_tree=False, remove_comments=False, remove_pis=True)


def parse(data: bytes, filename: str) -> etree._Element:
    """The root element of ``data``; raises FormatError (with the line) for anything unsafe or broken."""
    head = data[:4096].lstrip(b"\xef\xbb\xbf").lower()
    if b"<!doctype" in head or b"<!entity" in data.lower():
        raise FormatError(filename, [(0, "XML 文件含 DOCTYPE/实体声明，出于安全原因不予读取"
                                         "（Moodle XML 与 QTI 文件都不需要它们）")])
    try:
        root = etree.fromstring(data, _parser())
    except etree.XMLSyntaxError as exc:
        line = exc.lineno or 0
        raise FormatError(filename, [(line, f"{MAX_DEPTH_HINT}：{exc.msg}")]) from None
    if root.getroottree().docinfo.internalDTD is not None:
        raise FormatError(filename, [(0, "XML 文件含 DOCTYPE，出于安全原因不予读取")])
    return root


def local(tag) -> str:
    """An element's name without its namespace (QTI 2.1 and 3.0 use different ones)."""
    return etree.QName(tag).localname if isinstance(tag, str) else ""
