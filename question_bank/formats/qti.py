"""IMS QTI content packages: QTI 3.0 written, QTI 3.0 and 2.1 read (pure; no Flask, no database).

A package is a zip with ``imsmanifest.xml`` listing one resource per item. Written items use the
three interactions the bank's kinds need: ``qti-choice-interaction`` (single, multiple, and true/false
as a two-choice item whose choices are 正确/错误), ``qti-text-entry-interaction`` (fill-in: every
accepted answer mapped to full credit) and ``qti-extended-text-interaction`` (short answer: the
reference answer and scoring points in a scorer rubric block). Reading yields GIFT's ParsedItem so a
QTI item goes through the same mapping and checks as every other door; any other interaction is
refused by name. Untrusted XML is parsed by ``safe_xml``; the zip is checked for size, count and paths.

Pictures: an ``img`` in an item's body (not in its choices) is read from the package, relative to the
item file, checked (``formats.media``: PNG, JPEG, GIF or WebP by their bytes, size caps, no SVG) and
shown from the bank (``/media/<sha256>.<ext>``) with its ``alt``; a missing file, a file that is no
allowed picture or an image outside the package refuses the item, naming the file. An export writes
each picture once as ``items/media/<sha256>.<ext>``, listed in the item's manifest resource.
"""

from __future__ import annotations

import dataclasses
import html
import io
import posixpath
import re
import zipfile
from urllib.parse import unquote, urlsplit

from lxml import etree
from lxml import html as lxml_html

from question_bank.formats import FormatError, Place, made_ref, media as pictures_
from question_bank.formats.gift import FULL_WEIGHT, ParsedItem
from question_bank.formats.safe_xml import local, parse as parse_xml

NS3 = "http://www.imsglobal.org/xsd/imsqtiasi_v3p0"
NS21 = "http://www.imsglobal.org/xsd/imsqti_v2p1"
CP_NS = "http://www.imsglobal.org/xsd/qti/qtiv3p0/imscp_v1p1"
XSI = "http://www.w3.org/2001/XMLSchema-instance"
ITEM_LOCATION = f"{NS3} https://purl.imsglobal.org/spec/qti/v3p0/schema/xsd/imsqti_asiv3p0_v1p0.xsd"
CP_LOCATION = f"{CP_NS} https://purl.imsglobal.org/spec/qti/v3p0/schema/xsd/imsqtiv3p0_imscpv1p2_v1p0.xsd"
MATCH_CORRECT = "https://purl.imsglobal.org/spec/qti/v3p0/rptemplates/match_correct.xml"
MAP_RESPONSE = "https://purl.imsglobal.org/spec/qti/v3p0/rptemplates/map_response.xml"
TRUE_FALSE = ("正确", "错误")
TOOL_NAME = "callexam"
TRUE_FALSE_CLASS = "callexam-true-false"
#: Two choices with these texts are a true/false item (the export writes 正确/错误).
TRUE_WORDS = {"正确": True, "错误": False, "对": True, "错": False, "true": True, "false": False}
#: ``use`` of the scorer rubric block that carries an item's explanation (解析)
EXPLANATION_USE = "ext:explanation"      # QTI 3 allows "ext:…" extension values for use
FILL_BLANK = "____"                 # validation.FILL_BLANK: where a fill-in's answer goes in its stem
_BLANK_MARK = "\x00BLANK\x00"
MAX_FILES = 20_000            # an export of the whole bank is one file per item; the upload itself is capped at 5 MB
MAX_UNPACKED = 50 * 1024 * 1024
#: Interactions the bank cannot hold, named for the refusal message.
OTHER_INTERACTIONS = {
    "orderInteraction": "排序", "associateInteraction": "关联", "matchInteraction": "配对",
    "gapMatchInteraction": "填空拖放", "inlineChoiceInteraction": "行内选择", "hottextInteraction": "热文本",
    "hotspotInteraction": "热点", "selectPointInteraction": "选点", "graphicOrderInteraction": "图形排序",
    "graphicAssociateInteraction": "图形关联", "graphicGapMatchInteraction": "图形拖放",
    "positionObjectInteraction": "放置对象", "sliderInteraction": "滑块", "drawingInteraction": "绘图",
    "uploadInteraction": "上传文件", "mediaInteraction": "媒体", "customInteraction": "自定义",
    "endAttemptInteraction": "结束作答", "portableCustomInteraction": "可移植自定义",
}


class QtiError(FormatError):
    """The package as a whole cannot be read."""


def _camel(name: str) -> str:
    """QTI 3's ``qti-choice-interaction`` as QTI 2.1's ``choiceInteraction``, so one reader serves both."""
    if name.startswith("qti-"):
        first, *rest = name[4:].split("-")
        return first + "".join(p.capitalize() for p in rest)
    return name


def _find(el, name: str):
    for node in el.iter():
        if isinstance(node.tag, str) and _camel(local(node.tag)) == name:
            yield node


def _first(el, name: str):
    return next(_find(el, name), None)


#: Feedback shown by a QTI player after answering: never part of a stem or an option's text.
FEEDBACK = {"feedbackInline", "feedbackBlock", "modalFeedback", "templateInline", "templateBlock"}
#: Content the bank cannot store yet: an item showing any of it is refused, never imported without it.
MEDIA = {"object": "嵌入对象", "audio": "音频", "video": "视频", "picture": "图片", "svg": "图形",
         "math": "MathML 公式", "iframe": "嵌入页面", "printedVariable": "模板变量"}
_SPACE_RE = re.compile(r"[ \t]*\n[ \t]*")


def _markup(el, skip=()) -> str:
    """An element's content as HTML markup (namespaces dropped), leaving out ``skip`` elements and
    feedback; the indentation of pretty-printed XML is dropped."""
    return _SPACE_RE.sub("\n", _raw_markup(el, set(skip) | FEEDBACK)).strip()


def _media(el, skip=()) -> list[str]:
    found = []
    for node in el.iter():
        if isinstance(node.tag, str) and _camel(local(node.tag)) in MEDIA and not any(
                s in skip for s in node.iterancestors()):
            found.append(MEDIA[_camel(local(node.tag))])
    return sorted(set(found))


def _raw_markup(el, skip) -> str:
    parts = [el.text or ""]
    for child in el:
        if not isinstance(child.tag, str):
            parts.append(child.tail or "")
            continue
        name = local(child.tag)
        if _camel(name) == "textEntryInteraction":
            parts.append(_BLANK_MARK + (child.tail or ""))
            continue
        if name == "img":       # its src already points at the bank's copy (``_pictures``)
            parts.append(f'<img src="{html.escape(child.get("src", ""))}" alt="{html.escape(child.get("alt", ""))}">'
                         + (child.tail or ""))
            continue
        if child in skip or _camel(name) in skip:
            parts.append(child.tail or "")
            continue
        inner = _raw_markup(child, skip)
        parts.append(f"<{name}>{inner}</{name}>" if name not in ("br",) else "<br>")
        parts.append(child.tail or "")
    return "".join(parts)


def read_package(data: bytes, filename: str = "<qti.zip>") -> tuple[list[ParsedItem], list[tuple[int, str]]]:
    """Every item of a QTI 3.0 or 2.1 content package (or of one bare item XML file), and the refused ones.

    An item's "line" is a ``Place``: its position in the manifest (1 for the first item) and its file,
    so every message about it names ``items/….xml`` (``formats.where``)."""
    if data[:2] != b"PK":
        item, reason = read_item(data, filename, 1)
        return ([item], []) if item else ([], [(1, reason)])
    try:
        zf = zipfile.ZipFile(io.BytesIO(data))
    except zipfile.BadZipFile:
        raise QtiError(filename, [(0, "不是有效的 zip 文件（QTI 内容包应为含 imsmanifest.xml 的 zip）")]) from None
    infos = zf.infolist()
    if len(infos) > MAX_FILES or sum(i.file_size for i in infos) > MAX_UNPACKED:
        raise QtiError(filename, [(0, f"内容包过大：最多 {MAX_FILES} 个文件、解压后 {MAX_UNPACKED // 1048576} MB")])
    names = {i.filename for i in infos}
    if "imsmanifest.xml" not in names:
        raise QtiError(filename, [(0, "内容包中没有 imsmanifest.xml")])
    manifest = parse_xml(zf.read("imsmanifest.xml"), f"{filename}/imsmanifest.xml")
    items, refused = [], []
    n = 0
    for res in manifest.iter():
        if not isinstance(res.tag, str) or local(res.tag) != "resource":
            continue
        rtype = res.get("type", "")
        if not rtype.startswith("imsqti_item_xml"):
            continue
        n += 1
        href = res.get("href", "")
        if not href:
            refused.append((Place(n, ""), "题目资源没有给出文件（href）"))
            continue
        if href.startswith("/") or ".." in href.split("/") or href not in names:
            refused.append((Place(n, href), "这个文件不在内容包中"))
            continue
        folder = posixpath.dirname(href)
        item, reason = read_item(zf.read(href), f"{filename}/{href}", Place(n, href),
                                 lambda src, folder=folder: _package_file(zf, names, folder, src))
        if item:
            keywords = [(k.text or "").strip() for k in res.iter()
                        if isinstance(k.tag, str) and local(k.tag) == "string" and k.getparent() is not None
                        and local(k.getparent().tag) == "keyword"]
            if keywords:
                item = dataclasses.replace(item, tags=list(item.tags) + [k for k in keywords if k])
            items.append(item)
        else:
            refused.append((Place(n, href), reason))
    if not items and not refused:
        raise QtiError(filename, [(0, "内容包中没有题目（imsqti_item_xmlv3p0 或 imsqti_item_xmlv2p1 资源）")])
    return items, refused


def _values(decl) -> list[str]:
    cr = _first(decl, "correctResponse") if decl is not None else None
    return [(v.text or "").strip() for v in _find(cr, "value")] if cr is not None else []


def _package_file(zf: zipfile.ZipFile, names: set[str], folder: str, src: str) -> bytes | None:
    """The bytes of the file ``src`` refers to, relative to the item's folder; None when it is not in the package."""
    parts = urlsplit(src)
    if parts.scheme or parts.netloc or src.startswith("/"):
        return None
    path = posixpath.normpath(posixpath.join(folder, unquote(parts.path)))
    if path.startswith("../") or path == ".." or path not in names:
        return None
    return zf.read(path)


def _pictures(body, skip, files) -> tuple[tuple, str]:
    """Check every ``img`` of the item body and point it at the bank's copy; ("", reason) refuses the item."""
    found = []
    for img in body.iter():
        if not isinstance(img.tag, str) or local(img.tag) != "img" or any(a in skip for a in img.iterancestors()):
            continue
        if any(_camel(local(a.tag)) == "simpleChoice" for a in img.iterancestors() if isinstance(a.tag, str)):
            return (), "选项中含图片：题库只在题干中保存图片，未导入"
        src = (img.get("src") or "").strip()
        data = files(src) if files is not None and src else None
        if data is None:
            where = "内容包中" if files is not None else "文件中（单个 XML 文件无法携带图片，请上传含图片的 zip 内容包）"
            return (), f"图片文件“{src}”不在{where}，未导入"
        try:
            picture = pictures_.check(posixpath.basename(src), data)
        except pictures_.MediaError as exc:
            return (), str(exc)
        img.set("src", picture.url)
        found.append(picture)
    try:
        pictures_.check_item(found)
    except pictures_.MediaError as exc:
        return (), str(exc)
    return tuple(found), ""


def read_item(data: bytes, filename: str, line: int, files=None) -> tuple[ParsedItem | None, str]:
    """One assessment item as a ParsedItem, or (None, reason); ``files(src)`` gives the bytes of a file
    of the item's package (None: not there)."""
    try:
        root = parse_xml(data, filename)
    except FormatError as exc:
        return None, str(exc).splitlines()[0]
    if _camel(local(root.tag)) != "assessmentItem":
        return None, f"根元素应为 assessmentItem，实际为 {local(root.tag)}"
    body = _first(root, "itemBody")
    if body is None:
        return None, "缺少 itemBody"
    interactions = [n for n in body.iter() if isinstance(n.tag, str) and _camel(local(n.tag)).endswith("Interaction")]
    kinds = {_camel(local(n.tag)) for n in interactions}
    other = [OTHER_INTERACTIONS.get(k, k) for k in kinds if k not in
             ("choiceInteraction", "textEntryInteraction", "extendedTextInteraction")]
    if other:
        return None, f"含不受支持的交互类型（{'、'.join(sorted(other))}），未导入"
    if len(interactions) != 1:
        return None, "每道题应恰有一个作答交互（不支持一题多空或多问）"
    inter = interactions[0]
    kind = _camel(local(inter.tag))
    rid = inter.get("response-identifier") or inter.get("responseIdentifier")
    decl = next((d for d in _find(root, "responseDeclaration") if d.get("identifier") == rid), None)
    rubrics = [n for n in body.iter() if isinstance(n.tag, str) and _camel(local(n.tag)) == "rubricBlock"]
    explanation = "\n".join(_unwrap(_markup(_first(r, "contentBody") if _first(r, "contentBody") is not None else r))
                            for r in rubrics if r.get("use") == EXPLANATION_USE)
    skip = set(rubrics) | ({inter} if kind != "textEntryInteraction" else set())
    media = _media(body, set(rubrics))
    if media:
        return None, f"含{'、'.join(media)}，题库只能保存图片（PNG、JPEG、GIF、WebP），不能保存音视频、嵌入对象或公式，未导入"
    pictures, reason = _pictures(body, set(rubrics), files)
    if reason:
        return None, reason
    stem = _markup(body, skip)
    if _BLANK_MARK in stem:       # a blank at the very end is where the answer goes; elsewhere it is shown
        for end in (_BLANK_MARK, _BLANK_MARK + "</p>", _BLANK_MARK + "</div>"):
            if stem.endswith(end):
                stem = stem[:-len(end)].rstrip() + end[len(_BLANK_MARK):]
        stem = re.sub(r"<p>\s*</p>", "", stem.replace(_BLANK_MARK, FILL_BLANK, 1))
    stem = _unwrap(stem)
    prompt = _first(inter, "prompt")
    if prompt is not None:
        stem = "\n".join(p for p in (stem, _markup(prompt)) if p)
    ref = root.get("label") if root.get("tool-name") == TOOL_NAME and root.get("label") else root.get("identifier")
    title = root.get("title", "")
    base = dict(line=line, stem=stem, category="", tags=[], ref=ref, title=title, text_format="html",
                general_feedback=explanation, option_feedback=[], pictures=pictures)
    if kind == "choiceInteraction":
        choices = list(_find(inter, "simpleChoice"))
        ids = [c.get("identifier") for c in choices]
        texts = [_markup(c) for c in choices]
        feedback = ["\n".join(_markup(f) for f in _find(c, "feedbackInline")) for c in choices]
        base["option_feedback"] = feedback if any(feedback) else []
        correct = set(_values(decl))
        if not correct:
            return None, "选择题没有标准答案（correctResponse）"
        truth = [TRUE_WORDS.get(t.strip().lower()) for t in texts]
        ours = root.get("tool-name") == TOOL_NAME        # callexam marks its true/false items; others are guessed
        marked = TRUE_FALSE_CLASS in (inter.get("class") or "").split()
        if (marked if ours else len(texts) == 2 and set(truth) == {True, False}) and len(correct) == 1:
            key = truth[ids.index(next(iter(correct)))]
            right, wrong = (feedback[truth.index(key)], feedback[truth.index(not key)])
            base["option_feedback"] = [wrong, right] if (wrong or right) else []
            return ParsedItem(kind="truefalse", options=[], weights=[], answers=[], key=key, **base), ""
        max_choices = int(inter.get("max-choices") or inter.get("maxChoices") or "1")
        single = max_choices == 1 and len(correct) == 1
        share = FULL_WEIGHT / len(correct)
        weights = [(FULL_WEIGHT if single else share) if i in correct else 0.0 for i in ids]
        key = [n for n, i in enumerate(ids) if i in correct]
        tags = [] if single or "map_response" not in _template(root) else ["少选得分"]
        base["tags"] = tags
        return ParsedItem(kind="single" if single else "multiple", options=texts, weights=weights, answers=[],
                          key=key, **base), ""
    if kind == "textEntryInteraction":
        # the correct response is worth full marks; a mapped answer its share of the best mapped value, so a
        # partial-credit answer (IMS's "york" at 0.5) is named by ``transfer`` instead of becoming a full one
        answers = _values(decl)
        mapped = []
        for entry in _find(decl, "mapEntry") if decl is not None else ():
            key_ = (entry.get("map-key") or entry.get("mapKey") or "").strip()
            try:
                value = float(entry.get("mapped-value") or entry.get("mappedValue") or "0")
            except ValueError:
                return None, f"填空答案“{key_}”的分值不是数字"
            mapped.append((key_, value))
        top = max([v for _, v in mapped if v > 0], default=0.0)
        weights = [FULL_WEIGHT] * len(answers)
        for key_, value in mapped:
            if key_ and value > 0 and key_ not in answers:
                answers.append(key_)
                weights.append(FULL_WEIGHT * value / top)
        if not answers:
            return None, "填空题没有标准答案"
        return ParsedItem(kind="fill", options=[], weights=weights, answers=answers, key=None, **base), ""
    reference, points = _scoring_rubric(rubrics)
    from question_bank.transfer import join_essay     # the essay text convention lives there
    base["general_feedback"] = join_essay(reference, points, explanation)
    return ParsedItem(kind="short", options=[], weights=[], answers=[], key=None, **base), ""


def _unwrap(markup: str) -> str:
    """Markup without the one ``div`` an export wraps inline text in (QTI wants block content; the bank's
    sanitiser would drop the div anyway, a ``p`` would stay, so the wrapper is never a ``p``)."""
    markup = markup.strip()
    if markup.startswith("<div>") and markup.endswith("</div>") and markup.count("<div>") == 1:
        return markup[5:-6].strip()
    return markup


def _scoring_rubric(rubrics) -> tuple[str, list[str]]:
    """(reference answer, scoring points) of an essay's scorer rubric: list items are the points, the
    rest (paragraphs, text) the reference answer."""
    paragraphs, points = [], []
    for rubric in rubrics:
        if rubric.get("use") == EXPLANATION_USE:
            continue
        holder = _first(rubric, "contentBody")
        holder = rubric if holder is None else holder
        points += [_unwrap(_markup(li)) for li in _find(holder, "li")]
        text = _unwrap(_markup(holder, skip={"ul", "ol"}))
        if text:
            paragraphs.append(text)
    return "\n".join(paragraphs), points


def _template(root) -> str:
    rp = _first(root, "responseProcessing")
    return (rp.get("template") or "") if rp is not None else ""


# ---------------------------------------------------------------- writing

def _q(name: str) -> str:
    return f"{{{NS3}}}{name}"


def _append_markup(parent, markup: str) -> None:
    """Sanitised bank markup (b, i, br, p, table …) as QTI XHTML children of ``parent``."""
    wrapper = lxml_html.fragment_fromstring(markup or "", create_parent="div")
    holder = etree.SubElement(parent, _q("div")) if not any(
        isinstance(c.tag, str) and c.tag in ("p", "table", "ul", "ol", "pre") for c in wrapper) else parent

    def copy(src, dst):
        dst.text = (dst.text or "") + (src.text or "") if len(dst) == 0 else dst.text
        if len(dst) and src.text:
            dst[-1].tail = (dst[-1].tail or "") + src.text
        for child in src:
            if not isinstance(child.tag, str):
                continue
            if child.tag == "x-blank":
                node = etree.SubElement(dst, _q("qti-text-entry-interaction"), **{"response-identifier": "RESPONSE"})
                node.tail = child.tail
                continue
            if child.tag == "img":          # the bank's picture, as the package's file next to the item
                found = pictures_.URL_RE.fullmatch(child.get("src", ""))
                node = etree.SubElement(dst, _q("img"), src=f"{MEDIA_FOLDER}/{found.group(1)}.{found.group(2)}"
                                        if found else child.get("src", ""), alt=child.get("alt", ""))
                node.tail = child.tail
                continue
            node = etree.SubElement(dst, _q(child.tag))
            copy(child, node)
            node.tail = child.tail
    copy(wrapper, holder)


def _identifier(ref: str | None, n: int) -> str:
    """An NCName for ``ref`` (QTI identifiers allow no spaces or colons); the ref itself goes in ``label``."""
    raw = re.sub(r"[^\w.-]", "_", ref or "")
    return raw if raw and (raw[0].isalpha() or raw[0] == "_") else f"item-{n}-{raw}".rstrip("-_")


def item_xml(it: ParsedItem, identifier: str) -> bytes:
    """One QTI 3.0 assessment item for a ParsedItem (as ``transfer.to_parsed`` makes it)."""
    root = etree.Element(_q("qti-assessment-item"), nsmap={None: NS3, "xsi": XSI})
    root.set(f"{{{XSI}}}schemaLocation", ITEM_LOCATION)
    root.set("identifier", identifier)
    root.set("title", (it.title or it.ref or identifier)[:200])
    if it.ref and it.ref != identifier:
        root.set("label", it.ref)                  # the 编号 as written; read back by ``read_item``
    root.set("tool-name", TOOL_NAME)
    root.set("adaptive", "false")
    root.set("time-dependent", "false")
    choice = it.kind in ("single", "multiple", "truefalse")
    cardinality = "multiple" if it.kind == "multiple" else "single"
    base_type = "identifier" if choice else "string"
    decl = etree.SubElement(root, _q("qti-response-declaration"), identifier="RESPONSE",
                            cardinality=cardinality, **{"base-type": base_type})
    if it.kind == "truefalse":
        options, correct = list(TRUE_FALSE), [0 if it.key else 1]
    else:
        options, correct = list(it.options), list(it.key or [])
    if choice:
        cr = etree.SubElement(decl, _q("qti-correct-response"))
        for i in correct:
            etree.SubElement(cr, _q("qti-value")).text = f"C{i + 1}"
        if it.kind == "multiple" and "少选得分" in it.tags:
            mapping = etree.SubElement(decl, _q("qti-mapping"), **{"lower-bound": "0", "upper-bound": "1",
                                                                    "default-value": "-1"})
            for i in correct:
                etree.SubElement(mapping, _q("qti-map-entry"), **{"map-key": f"C{i + 1}",
                                                                   "mapped-value": f"{1 / len(correct):.4f}"})
    elif it.kind == "fill":
        cr = etree.SubElement(decl, _q("qti-correct-response"))
        etree.SubElement(cr, _q("qti-value")).text = it.answers[0]
        mapping = etree.SubElement(decl, _q("qti-mapping"), **{"default-value": "0"})
        for answer in it.answers:
            etree.SubElement(mapping, _q("qti-map-entry"), **{"map-key": answer, "mapped-value": "1",
                                                               "case-sensitive": "false"})
    etree.SubElement(root, _q("qti-outcome-declaration"), identifier="SCORE", cardinality="single",
                     **{"base-type": "float"})
    body = etree.SubElement(root, _q("qti-item-body"))
    from question_bank.transfer import split_essay     # the essay text convention lives there
    explanation = it.general_feedback
    if it.kind == "short":
        reference, points, explanation = split_essay(it.general_feedback)
        _append_markup(body, it.stem)
        etree.SubElement(body, _q("qti-extended-text-interaction"), **{"response-identifier": "RESPONSE"})
        rubric = etree.SubElement(body, _q("qti-rubric-block"), use="scoring", view="scorer")
        content = etree.SubElement(rubric, _q("qti-content-body"))
        if reference:
            _append_markup(content, reference)
        if points:
            ul = etree.SubElement(content, _q("ul"))
            for p in points:
                _append_markup(etree.SubElement(ul, _q("li")), p)
    elif it.kind == "fill":
        before, sep, after = it.stem.partition(FILL_BLANK)
        _append_markup(body, before + "<x-blank></x-blank>" + after if sep else it.stem + "<x-blank></x-blank>")
    else:
        _append_markup(body, it.stem)
        inter = etree.SubElement(body, _q("qti-choice-interaction"), **{
            "response-identifier": "RESPONSE", "shuffle": "false",
            "max-choices": "0" if it.kind == "multiple" else "1"})
        if it.kind == "truefalse":
            inter.set("class", TRUE_FALSE_CLASS)
        for i, text in enumerate(options):
            ch = etree.SubElement(inter, _q("qti-simple-choice"), identifier=f"C{i + 1}")
            wrapper = lxml_html.fragment_fromstring(text or "", create_parent="div")
            ch.text = wrapper.text
            for child in wrapper:
                node = etree.SubElement(ch, _q(child.tag))
                node.text = child.text
                node.tail = child.tail
    if explanation:     # for scorers and result reports, never shown to a candidate while answering
        rubric = etree.SubElement(body, _q("qti-rubric-block"), use=EXPLANATION_USE, view="scorer")
        _append_markup(etree.SubElement(rubric, _q("qti-content-body")), explanation)
    template = MAP_RESPONSE if it.kind == "fill" or (it.kind == "multiple" and "少选得分" in it.tags) else MATCH_CORRECT
    if it.kind != "short":
        etree.SubElement(root, _q("qti-response-processing"), template=template)
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True)


LOM = "http://ltsc.ieee.org/xsd/LOM"
#: Where an export puts pictures, relative to the items' folder.
MEDIA_FOLDER = "media"


def manifest_xml(entries: list[tuple]) -> bytes:
    """The package manifest listing (identifier, href, tags[, picture files]) items."""
    root = etree.Element(f"{{{CP_NS}}}manifest", nsmap={None: CP_NS, "xsi": XSI})
    root.set(f"{{{XSI}}}schemaLocation", CP_LOCATION)
    root.set("identifier", "callexam-export")
    meta = etree.SubElement(root, f"{{{CP_NS}}}metadata")
    etree.SubElement(meta, f"{{{CP_NS}}}schema").text = "QTI Package"
    etree.SubElement(meta, f"{{{CP_NS}}}schemaversion").text = "3.0.0"
    etree.SubElement(root, f"{{{CP_NS}}}organizations")
    resources = etree.SubElement(root, f"{{{CP_NS}}}resources")
    for ident, href, tags, *more in entries:
        res = etree.SubElement(resources, f"{{{CP_NS}}}resource", identifier=ident, type="imsqti_item_xmlv3p0",
                               href=href)
        if tags:       # level, area, difficulty … travel as LOM keywords (control tags, as in GIFT)
            lom = etree.SubElement(etree.SubElement(res, f"{{{CP_NS}}}metadata"), f"{{{LOM}}}lom", nsmap={None: LOM})
            general = etree.SubElement(lom, f"{{{LOM}}}general")
            for tag in tags:
                etree.SubElement(etree.SubElement(general, f"{{{LOM}}}keyword"), f"{{{LOM}}}string").text = tag
        etree.SubElement(res, f"{{{CP_NS}}}file", href=href)
        for extra in (more[0] if more else ()):
            etree.SubElement(res, f"{{{CP_NS}}}file", href=extra)
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True)


def write_package(items: list[ParsedItem]) -> bytes:
    """A QTI 3.0 content package (zip) of ``items``."""
    out = io.BytesIO()
    entries, used, written = [], set(), set()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zf:
        for n, it in enumerate(items, 1):
            ident = _identifier(it.ref or made_ref(it.category, it.kind, it.stem), n)
            while ident in used:
                ident += "_"
            used.add(ident)
            href = f"items/{ident}.xml"
            zf.writestr(href, item_xml(it, ident))
            tags = list(it.tags) + ([f"分类:{it.category}"] if it.category else [])
            files = []
            for picture in it.pictures:
                path = f"items/{MEDIA_FOLDER}/{picture.sha256}.{picture.ext}"
                if picture.url in it.stem:
                    files.append(path)
                    if path not in written:     # a picture several items show is written once
                        zf.writestr(path, picture.data)
                        written.add(path)
            entries.append((ident, href, tags, files))
        zf.writestr("imsmanifest.xml", manifest_xml(entries))
    return out.getvalue()
