"""Moodle XML (the question bank's own export format in Moodle) read into GIFT's ParsedItem, and written back.

Pure: no Flask, no database. Reading yields ParsedItems so every Moodle question goes through the same
``transfer.from_parsed`` and ``validate`` as a GIFT one (control tags, essay text, weights).

What maps:

* ``multichoice`` → single choice (``<single>true``) or multiple choice, weights from ``fraction``;
* ``truefalse`` → true/false; ``shortanswer`` → fill-in (every answer at 100 %);
* ``essay`` → short answer: ``graderinfo`` is the reference answer, its lines starting ``- `` or
  ``要点：`` the scoring points; without grader information the question is still read and
  ``transfer`` makes it an incomplete draft;
* ``category`` questions set the category path (``$course$/`` … prefixes dropped); a path segment or a
  ``<tag>`` naming a level or function area sets it, as GIFT's ``[tag:…]`` does;
* ``name`` is kept as the item's 编号 when there is no ``idnumber`` (``idnumber`` wins), per-answer
  feedback goes to the explanation (``transfer``), ``questiontext format`` decides whether text is
  markup (``html``) or plain text to escape (``plain_text``, ``markdown``, ``moodle_auto_format``).

Pictures: a question text's ``@@PLUGINFILE@@/name`` files (``<file name="…" encoding="base64">`` in
``questiontext``, and Moodle 1.9's ``<image>``/``<image_base64>``, which Moodle itself turns into such a
file) are checked (``formats.media``: PNG, JPEG, GIF or WebP by their bytes, size caps, no SVG) and
the stem then shows them from the bank (``/media/<sha256>.<ext>``), their ``alt`` kept. A question whose
text refers to a missing file, a file that is no allowed picture (an MP3, an SVG …) or pictures over
the caps is refused, naming the file and why; the rest of the file still imports. Writing does the
reverse: ``@@PLUGINFILE@@/<sha256>.<ext>`` and the bytes in base64 ``<file>`` elements, as Moodle does.

What does not: every other type (matching, numerical, calculated, cloze …) is refused by name; the
bank keeps pictures in stems only, so a question whose options show a file is refused, and an image
in feedback is dropped with a warning.
"""

from __future__ import annotations

import base64
import binascii
import re
from urllib.parse import unquote
from xml.sax.saxutils import escape

from exam import standard
from question_bank.formats import FormatError, made_ref, media
from question_bank.formats.gift import FULL_WEIGHT, ParsedItem
from question_bank.formats.safe_xml import parse as parse_xml

#: Moodle's question types, in Chinese, for the refusal message.
TYPE_NAMES = {
    "multichoice": "选择题", "truefalse": "判断题", "shortanswer": "简答（填空）题", "essay": "论述题",
    "matching": "配对题", "numerical": "数值题", "calculated": "计算题", "calculatedsimple": "简单计算题",
    "calculatedmulti": "计算选择题", "multianswer": "完形填空（Cloze）题", "cloze": "完形填空（Cloze）题", "description": "描述（非题目）",
    "ddwtos": "拖放文字题", "gapselect": "选择缺失词题", "ddimageortext": "拖放到图片题", "ddmarker": "拖放标记题",
    "randomsamatch": "随机简答配对题", "ordering": "排序题",
}
SUPPORTED = ("multichoice", "truefalse", "shortanswer", "essay")
_FORMATS = {"html": "html", "plain_text": "plain", "markdown": "plain", "moodle_auto_format": "moodle"}
_PREFIX_RE = re.compile(r"^\$(course|system|module|cat\d*)\$/?")
_PLUGINFILE_RE = re.compile(r"@@PLUGINFILE@@/([^\"'\s>)]+)")
_TAG_RE = re.compile(r"<[^>]+>")


class MoodleXmlError(FormatError):
    """The Moodle XML file as a whole cannot be read."""


def _text(el, path: str = "text") -> str:
    node = el.find(path) if el is not None else None
    return (node.text or "").strip() if node is not None else ""


def _fmt(el) -> str:
    return _FORMATS.get((el.get("format") or "html") if el is not None else "html", "plain")


def _category(path: str) -> str:
    path = _PREFIX_RE.sub("", path.strip())
    parts = [p.strip() for p in path.split("/") if p.strip()]
    if parts and parts[0].lower() == "top":
        parts = parts[1:]
    return "/".join(parts)


def _media(text: str) -> list[str]:
    return _PLUGINFILE_RE.findall(text or "")


def _drop_media(text: str) -> str:
    """Feedback without its embedded images (the bank cannot hold them yet); the caller warns."""
    return re.sub(r"<img[^>]*@@PLUGINFILE@@[^>]*>", "", text)




def parse(data: bytes, filename: str = "<moodle.xml>") -> tuple[list[ParsedItem], list[tuple[int, str]]]:
    """Every supported question of the file, and (line, reason) for every question refused.

    Raises FormatError only when the file as a whole is not Moodle XML."""
    root = parse_xml(data, filename)
    if root.tag != "quiz":
        raise MoodleXmlError(filename, [(root.sourceline or 1, f"根元素应为 <quiz>（Moodle XML），实际为 <{root.tag}>")])
    items: list[ParsedItem] = []
    refused: list[tuple[int, str]] = []
    category = ""
    for q in root.iterchildren("question"):
        line = q.sourceline or 0
        qtype = q.get("type", "")
        if qtype == "category":
            category = _category(_text(q.find("category")))
            continue
        name = _text(q.find("name"))
        label = f"“{name}”" if name else ""
        if qtype not in SUPPORTED:
            refused.append((line, f"题目{label}的题型 {qtype}（{TYPE_NAMES.get(qtype, '未知题型')}）不受支持，未导入"))
            continue
        item, reason = _question(q, qtype, line, category, name)
        if reason:
            refused.append((line, f"题目{label}：{reason}"))
        else:
            items.append(item)
    if not items and not refused:
        raise MoodleXmlError(filename, [(0, "文件中没有题目")])
    return items, refused


def _question(q, qtype: str, line: int, category: str, name: str):
    qt = q.find("questiontext")
    stem, fmt = _text(qt), _fmt(qt)
    warnings: list[str] = []
    stem, pictures, reason = _stem_pictures(q, qt, stem)
    if reason:
        return None, reason
    gf_el = q.find("generalfeedback")
    general = _text(gf_el)
    if _media(general):
        warnings.append(f"总体反馈中的图片 {'、'.join(_media(general))} 未导入")
        general = _drop_media(general)
    tags = [_text(t) for t in q.findall("tags/tag") if _text(t)]
    # a category segment naming a level or function area counts as that tag, unless the question's own
    # tags already say which (a question tagged 高级 in a 初级 folder is senior)
    has_level = any(standard.level_code(t) for t in tags)
    has_area = any(standard.area_code(t) for t in tags)
    for segment in category.split("/"):
        if (standard.level_code(segment) and not has_level) or (standard.area_code(segment) and not has_area):
            tags.append(segment)
    ref = (q.findtext("idnumber") or "").strip() or name or None
    options, weights, answers, feedback, formats = [], [], [], [], []
    for a in q.findall("answer"):
        text = _text(a)
        if _media(text):
            return None, f"选项含嵌入文件 {'、'.join(_media(text))}：题库只在题干中保存图片，请把图片移到题干后再导入"
        try:
            weight = float(a.get("fraction", "0"))
        except ValueError:
            return None, f"答案的 fraction “{a.get('fraction')}” 不是数字"
        fb = _text(a.find("feedback"))
        if _media(fb):
            warnings.append(f"选项反馈中的图片 {'、'.join(_media(fb))} 未导入")
            fb = _drop_media(fb)
        options.append(text)
        weights.append(weight)
        feedback.append(fb)
        formats.append(_FORMATS.get(a.get("format", ""), ""))
    base = dict(line=line, stem=stem, category=category, tags=tags, ref=ref, title=name, text_format=fmt,
                general_feedback=general, warnings=tuple(warnings), pictures=pictures)
    if qtype == "multichoice":
        single = (q.findtext("single") or "true").strip().lower() in ("true", "1")
        if len(options) < 2:
            return None, "选择题至少需要两个选项"
        positive = [i for i, w in enumerate(weights) if w > 0]
        return ParsedItem(kind="single" if single else "multiple", options=options, weights=weights, answers=[],
                          key=positive, option_feedback=feedback, option_formats=tuple(formats), **base), None
    if qtype == "truefalse":
        by_text = {o.strip().lower(): (w, f) for o, w, f in zip(options, weights, feedback)}
        if set(by_text) != {"true", "false"}:
            return None, "判断题应恰有 true 与 false 两个答案"
        key = by_text["true"][0] >= FULL_WEIGHT
        right, wrong = (by_text["true"][1], by_text["false"][1]) if key else (by_text["false"][1], by_text["true"][1])
        fbs = [wrong, right] if (wrong or right) else []
        return ParsedItem(kind="truefalse", options=[], weights=[], answers=[], key=key, option_feedback=fbs,
                          **base), None
    if qtype == "shortanswer":
        if not options:
            return None, "简答（填空）题没有答案"
        return ParsedItem(kind="fill", options=[], weights=weights, answers=options, key=None,
                          option_feedback=feedback, option_formats=tuple(formats), **base), None
    grader = q.find("graderinfo")
    info = _text(grader)
    if _media(info):
        warnings.append(f"评分信息中的图片 {'、'.join(_media(info))} 未导入")
        info = _drop_media(info)
        base["warnings"] = tuple(warnings)
    # an essay keeps its general feedback as the explanation, after the grader information
    text = info + (("\n解析：" + general) if general else "")
    base["general_feedback"] = text
    if _fmt(grader) != fmt and info:
        base["text_format"] = _fmt(grader) if fmt == "plain" else fmt
    return ParsedItem(kind="short", options=[], weights=[], answers=[], key=None, option_feedback=[], **base), None


def _files(q, qt) -> dict[str, bytes | None]:
    """The question text's embedded files by name (None: not valid base64); Moodle 1.9's ``<image>`` too."""
    files: dict[str, bytes | None] = {}
    holders = [(f.get("name", ""), f.text) for f in (qt.findall("file") if qt is not None else ())]
    legacy = (q.findtext("image") or "").strip()
    if legacy and q.find("image_base64") is not None:
        holders.append((legacy, q.findtext("image_base64")))
    for name, text in holders:
        try:
            files[name] = base64.b64decode("".join((text or "").split()), validate=True)
        except (binascii.Error, ValueError):
            files[name] = None
    return files


def _stem_pictures(q, qt, stem: str) -> tuple[str, tuple, str]:
    """(stem showing the bank's copies of its pictures, the checked pictures, "" or why the question is refused)."""
    legacy = (q.findtext("image") or "").strip()
    if legacy and q.find("image_base64") is not None and f"@@PLUGINFILE@@/{legacy}" not in stem:
        stem += f' <img src="@@PLUGINFILE@@/{escape(legacy)}" alt="">'     # as Moodle imports a 1.9 image
    names = list(dict.fromkeys(_media(stem)))
    if not names:
        return stem, (), ""
    files = _files(q, qt)
    pictures = []
    for raw in names:
        name = unquote(raw)
        data = files.get(name, files.get(raw))
        if name not in files and raw not in files:
            return stem, (), f"题干引用的文件“{name}”不在文件中（缺少 <file name=\"{name}\">），未导入"
        if data is None:
            return stem, (), f"题干中的文件“{name}”的 base64 内容无法解码，未导入"
        try:
            picture = media.check(name, data)
        except media.MediaError as exc:
            return stem, (), f"{exc}"
        pictures.append(picture)
        stem = stem.replace(f"@@PLUGINFILE@@/{raw}", picture.url)
    try:
        media.check_item(pictures)
    except media.MediaError as exc:
        return stem, (), str(exc)
    return stem, tuple(pictures), ""


# ---------------------------------------------------------------- writing

def _cdata(text: str) -> str:
    return "<![CDATA[" + text.replace("]]>", "]]]]><![CDATA[>") + "]]>"


def _fraction(w: float) -> str:
    return f"{w:.7f}".rstrip("0").rstrip(".") if w != int(w) else str(int(w))


def _textblock(tag: str, text: str, fmt: str = "html", indent: str = "    ") -> str:
    return f'{indent}<{tag} format="{fmt}">\n{indent}  <text>{_cdata(text)}</text>\n{indent}</{tag}>'


def _questiontext(it: ParsedItem) -> str:
    """The stem, its pictures as Moodle writes files: ``@@PLUGINFILE@@/name`` and base64 ``<file>`` elements."""
    stem, files = it.stem, []
    for picture in it.pictures:
        name = f"{picture.sha256}.{picture.ext}"
        if picture.url in stem:
            stem = stem.replace(picture.url, f"@@PLUGINFILE@@/{name}")
            files.append(f'      <file name="{name}" path="/" encoding="base64">'
                         f'{base64.b64encode(picture.data).decode("ascii")}</file>')
    block = _textblock("questiontext", stem)
    if not files:
        return block
    head, tail = block.rsplit("\n", 1)
    return "\n".join([head, *files, tail])


def dump(items: list[ParsedItem]) -> str:
    """Moodle XML for ``items`` (as ``transfer.to_parsed`` makes them); Moodle imports it, and so does ``parse``."""
    out = ['<?xml version="1.0" encoding="UTF-8"?>', "<quiz>"]
    category = None
    for it in items:
        if it.category != category:
            category = it.category
            out += ['  <question type="category">', "    <category>",
                    f"      <text>{escape('$course$/' + category if category else '$course$')}</text>",
                    "    </category>", "  </question>"]
        qtype = {"single": "multichoice", "multiple": "multichoice", "truefalse": "truefalse",
                 "fill": "shortanswer", "short": "essay"}[it.kind]
        out.append(f'  <question type="{qtype}">')
        # Moodle needs a name; an item without 编号 is named as an import would number it (stable_ref), so
        # reading the file back gives that item the same 编号 a GIFT import of it would
        out.append(f"    <name>\n      <text>{escape(it.title or it.ref or made_ref(it.category, it.kind, it.stem))}</text>\n    </name>")
        out.append(_questiontext(it))
        feedback = it.general_feedback if it.kind != "short" else ""
        out.append(_textblock("generalfeedback", feedback))
        out.append("    <defaultgrade>1</defaultgrade>")
        if it.ref:
            out.append(f"    <idnumber>{escape(it.ref)}</idnumber>")
        if it.kind in ("single", "multiple"):
            out.append(f"    <single>{'true' if it.kind == 'single' else 'false'}</single>")
            out.append("    <shuffleanswers>true</shuffleanswers>")
            out.append("    <answernumbering>ABCD</answernumbering>")
            for text, w in zip(it.options, it.weights):
                out.append(f'    <answer fraction="{_fraction(w)}" format="html">\n      <text>{_cdata(text)}</text>\n'
                           '      <feedback format="html"><text></text></feedback>\n    </answer>')
        elif it.kind == "truefalse":
            for word, value in (("true", True), ("false", False)):
                frac = 100 if bool(it.key) == value else 0
                out.append(f'    <answer fraction="{frac}" format="moodle_auto_format">\n      <text>{word}</text>\n'
                           '      <feedback format="html"><text></text></feedback>\n    </answer>')
        elif it.kind == "fill":
            out.append("    <usecase>0</usecase>")
            for text in it.answers:
                out.append(f'    <answer fraction="100" format="moodle_auto_format">\n      <text>{escape(text)}</text>\n'
                           '      <feedback format="html"><text></text></feedback>\n    </answer>')
        else:
            out += ["    <responseformat>editor</responseformat>", "    <responserequired>1</responserequired>",
                    "    <responsefieldlines>10</responsefieldlines>", "    <attachments>0</attachments>"]
            out.append(_textblock("graderinfo", it.general_feedback))
        if it.tags:
            out.append("    <tags>")
            out += [f"      <tag><text>{escape(t)}</text></tag>" for t in it.tags]
            out.append("    </tags>")
        out.append("  </question>")
    out.append("</quiz>")
    return "\n".join(out) + "\n"
