"""Moodle GIFT 格式的解析与导出（纯函数，不依赖 Flask 或数据库）。

支持题型：单选 {=对 ~错}、带权重多选 {~%50%a ~%50%b ~%-100%c}、判断 {T}/{FALSE}、
填空/简答 {=答案1 =答案2}、问答 {}（人工评分）。不支持：数值题 {#…}、配对题 (->)、
一道题多个答案块（嵌入式答案/完形填空）、无答案块的描述题。
"""
from __future__ import annotations

import math
import re
from dataclasses import dataclass, field

from question_bank.formats import FormatError

FULL_WEIGHT = 100.0          # 满权重（百分比）
WEIGHT_TOLERANCE = 0.01      # 多选题正权重之和允许的误差，兼容 %33.33333%
BLANK = "_____"              # 答案块位于题干中间时的占位符
_SPECIAL = "~=#{}:"
_ESCAPE_RE = re.compile(r"\\(.)", re.S)
_META_RE = re.compile(r"\[(id|tag):([^\]]*)\]")
_FORMAT_RE = re.compile(r"\s*\[(html|plain|markdown|moodle)\]")
_TRUE, _FALSE = ("t", "true"), ("f", "false")


@dataclass(frozen=True)
class ParsedItem:
    line: int = field(compare=False)   # 题目起始行（1 起），不参与相等比较
    kind: str                          # single / multiple / truefalse / fill / short
    stem: str
    options: list[str]
    weights: list[float]
    answers: list[str]
    key: object                        # 选择题：正权重选项下标列表；判断题：bool；其余：None
    general_feedback: str
    option_feedback: list[str]
    category: str
    tags: list[str]
    ref: str | None
    title: str
    text_format: str = ""             # [html]/[plain]/[markdown]/[moodle] 前缀
    #: 各选项（或填空答案）自己的格式标记，空串表示沿用题干的格式；不参与相等比较
    option_formats: tuple = field(default=(), compare=False)
    #: 读取时发现、需要告诉培训师的事（如反馈中的图片未导入）；不参与相等比较
    warnings: tuple = field(default=(), compare=False)
    #: 题干显示的图片（formats.media.Picture），题干以 /media/<sha256>.<ext> 引用；不参与相等比较
    pictures: tuple = field(default=(), compare=False)


class GiftError(FormatError):
    """GIFT 文件有误。"""


def _find(s: str, chars: str, start: int = 0) -> int:
    """第一个未转义的 chars 中字符的位置，找不到为 -1。"""
    i = start
    while i < len(s):
        if s[i] == "\\":
            i += 2
            continue
        if s[i] in chars:
            return i
        i += 1
    return -1


def _find_all(s: str, chars: str) -> list[int]:
    found, i = [], _find(s, chars)
    while i != -1:
        found.append(i)
        i = _find(s, chars, i + 1)
    return found


def _unescape(s: str) -> str:
    def sub(m):
        c = m.group(1)
        return "\n" if c == "n" else c if c in _SPECIAL + "\\" else m.group(0)
    return _ESCAPE_RE.sub(sub, s.strip()).strip()


def _escape(s: str) -> str:
    s = s.replace("\\", "\\\\")
    for c in _SPECIAL:
        s = s.replace(c, "\\" + c)
    return s.replace("\n", "\\n")


class _Parser:
    def __init__(self):
        self.errors: list[tuple[int, str]] = []
        self.items: list[ParsedItem] = []
        self.category, self.ref, self.tags = "", None, []
        self.block: list[tuple[int, str]] = []
        self.seen: dict[str, int] = {}

    def feed(self, lines: list[str]) -> None:
        for n, raw in enumerate(lines, 1):
            s = raw.strip()
            if not s:
                self.flush()
            elif s.startswith("//"):
                for kind, value in _META_RE.findall(s):
                    value = value.strip()
                    if kind == "tag":
                        if value and value not in self.tags:
                            self.tags.append(value)
                    elif value:
                        self.ref = value
                    else:
                        self.errors.append((n, "[id:] 注释中的题目 id 为空"))
            elif s.upper().startswith("$CATEGORY:"):
                self.flush()
                path = s[len("$CATEGORY:"):].strip()
                if path:
                    self.category = path
                else:
                    self.errors.append((n, "$CATEGORY: 后缺少类别路径"))
            else:
                self.block.append((n, raw))
        self.flush()

    def flush(self) -> None:
        if not self.block:
            return
        nums = [n for n, _ in self.block]
        text = "\n".join(t for _, t in self.block)
        ref, tags = self.ref, self.tags
        self.block, self.ref, self.tags = [], None, []
        item = self.question(text, nums, ref, tags)
        if item is None:
            return
        if ref is not None:
            if ref in self.seen:
                self.errors.append((nums[0], f"题目 id “{ref}” 重复（首次出现于第 {self.seen[ref]} 行）"))
            self.seen.setdefault(ref, nums[0])
        self.items.append(item)

    def question(self, text, nums, ref, tags):
        def at(pos):
            return nums[text.count("\n", 0, max(pos, 0))]
        before = len(self.errors)
        pos, title, fmt = len(text) - len(text.lstrip()), "", ""
        if text.startswith("::", pos):
            end = _find(text, ":", pos + 2)
            while end != -1 and text[end + 1:end + 2] != ":":
                end = _find(text, ":", end + 1)
            if end == -1:
                self.errors.append((at(pos), "标题缺少结束的 ::"))
                return None
            title, pos = _unescape(text[pos + 2:end]), end + 2
        m = _FORMAT_RE.match(text, pos)
        if m:
            fmt, pos = m.group(1), m.end()
        start = _find(text, "{}", pos)
        if start == -1:
            self.errors.append((nums[0], "缺少答案块 {…}（不支持无答案的描述题）"))
            return None
        if text[start] == "}":
            self.errors.append((at(start), "多余的右花括号 }（字面花括号请写作 \\}）"))
            return None
        end = _find(text, "{}", start + 1)
        if end == -1:
            self.errors.append((at(start), "缺少右花括号 }"))
            return None
        if text[end] == "{":
            self.errors.append((at(start), "缺少右花括号 }（答案块内出现了未转义的 {）"))
            return None
        extra = _find(text, "{}", end + 1)
        if extra != -1:
            msg = ("一道题只能有一个 {…} 答案块（不支持嵌入式答案/完形填空题）" if text[extra] == "{"
                   else "多余的右花括号 }（字面花括号请写作 \\}）")
            self.errors.append((at(extra), msg))
            return None
        head, tail = _unescape(text[pos:start]), _unescape(text[end + 1:])
        stem = f"{head} {BLANK} {tail}" if tail else head
        if not stem:
            self.errors.append((nums[0], "题干为空"))
        named = f"题目“{title}”" if title else "这道题"
        if re.search(r"(?<!\\)->", text[start + 1:end]):     # one refusal for the question, not one per pair
            self.errors.append((nums[0], f"{named}是配对题（->），本系统不支持，未导入"))
            return None
        body = text[start + 1:end].strip()
        if body.startswith("#") and not body.startswith("####"):      # {####…} is an essay's feedback
            self.errors.append((nums[0], f"{named}是数值题（{{#…}}），本系统不支持，未导入"))
            return None
        parts = self.answers(text[start + 1:end], start + 1, at)
        if parts is None or len(self.errors) > before:
            return None
        base = dict(options=[], weights=[], answers=[], key=None, option_feedback=[], general_feedback="")
        base.update(parts)
        return ParsedItem(line=nums[0], stem=stem, category=self.category, tags=list(tags), ref=ref,
                          title=title, text_format=fmt, **base)

    def answers(self, body, offset, at):
        gf, g = "", _find(body, "#")
        while g != -1 and body[g:g + 4] != "####":
            g = _find(body, "#", g + 1)
        if g != -1:
            gf, body = split_format(_unescape(body[g + 4:]))[1], body[:g]
        line = at(offset - 1)
        s = body.strip()
        if not s:
            return dict(kind="short", general_feedback=gf)
        pieces = [s[a + 1:b] for a, b in zip([-1] + _find_all(s, "#"), _find_all(s, "#") + [len(s)])]
        if pieces[0].strip().lower() in _TRUE + _FALSE:
            if len(pieces) > 3:
                self.errors.append((line, "判断题最多两段反馈（#答错时反馈#答对时反馈）"))
            return dict(kind="truefalse", key=pieces[0].strip().lower() in _TRUE,
                        option_feedback=[split_format(_unescape(p))[1] for p in pieces[1:]], general_feedback=gf)
        if s.startswith("#"):
            self.errors.append((line, "是数值题（{#…}），本系统不支持，未导入"))
            return None
        marks = _find_all(body, "=~")
        if not marks or body[:marks[0]].strip():
            self.errors.append((line, f"无法识别的答案 “{s[:20]}”：每个答案须以 = 或 ~ 开头"))
            return None
        entries = []
        for a, b in zip(marks, marks[1:] + [len(body)]):
            entry = self.answer(body[a], body[a + 1:b], at(offset + a))
            if entry:
                entries.append(entry)
        if len(entries) < len(marks):
            return None
        marker, texts, weights, fbs, fmts = (list(x) for x in zip(*entries))
        positive = [i for i, w in enumerate(weights) if w > 0]
        if "~" not in marker:
            if not positive:
                self.errors.append((line, "没有正确答案：填空题至少需要一个正权重的 = 答案"))
            return dict(kind="fill", answers=texts, weights=weights, option_feedback=fbs, general_feedback=gf,
                        option_formats=tuple(fmts))
        if "=" in marker:
            kind = "single"
            if marker.count("=") > 1:
                self.errors.append((line, "单选题只能有一个 = 正确答案（多选题请用 ~%权重% 标注）"))
        else:
            kind = "multiple"
            total = sum(weights[i] for i in positive)
            if not positive:
                self.errors.append((line, "没有正确答案：单选题需要一个 = 答案，多选题需要正权重选项（如 ~%50%）"))
            elif abs(total - FULL_WEIGHT) > WEIGHT_TOLERANCE:
                self.errors.append((line, f"正确选项的权重之和应为 100%（当前为 {total:g}%）"))
        return dict(kind=kind, options=texts, weights=weights, key=positive, option_feedback=fbs,
                    general_feedback=gf, option_formats=tuple(fmts))

    def answer(self, marker, raw, line):
        t, weight = raw.strip(), FULL_WEIGHT if marker == "=" else 0.0
        if "->" in t:
            self.errors.append((line, "不支持配对题（->）"))
            return None
        if t.startswith("%"):
            j = t.find("%", 1)
            if j == -1:
                self.errors.append((line, "权重缺少结束的 %"))
                return None
            try:
                weight = float(t[1:j])
            except ValueError:
                weight = math.nan
            if not math.isfinite(weight):
                self.errors.append((line, f"无效的权重 %{t[1:j]}%"))
                return None
            if abs(weight) > FULL_WEIGHT:
                self.errors.append((line, f"权重 %{t[1:j]}% 超出 -100% 到 100% 的范围"))
                return None
            t = t[j + 1:]
        k = _find(t, "#")
        feedback = _unescape(t[k + 1:]) if k != -1 else ""
        text = _unescape(t[:k] if k != -1 else t)
        fmt, text = split_format(text)
        feedback = split_format(feedback)[1]
        if not text:
            self.errors.append((line, "答案内容为空"))
            return None
        return marker, text, weight, feedback, fmt


def split_format(text: str) -> tuple[str, str]:
    """(format, text) of an answer or feedback written ``[plain]text``; the marker never reaches candidates."""
    m = _FORMAT_RE.match(text)
    return (m.group(1), text[m.end():].strip()) if m else ("", text)


def parse(text: str, filename: str = "<gift>") -> list[ParsedItem]:
    """解析整份 GIFT 文本；有任何错误则抛出汇总全部错误的 GiftError。"""
    text = text.lstrip("\ufeff").replace("\r\n", "\n").replace("\r", "\n")
    parser = _Parser()
    parser.feed(text.split("\n"))
    if parser.errors:
        raise GiftError(filename, parser.errors)
    return parser.items


def _num(w: float) -> str:
    w = float(w)
    return str(int(w)) if w.is_integer() else repr(w)


def _answer(marker, text, weight, default, feedback):
    pct = f"%{_num(weight)}%" if weight != default or text.startswith("%") else ""
    return f"{marker}{pct}{_escape(text)}" + (f"#{_escape(feedback)}" if feedback else "")


def _dump_answers(it: ParsedItem) -> str:
    gf = f"####{_escape(it.general_feedback)}" if it.general_feedback else ""
    fbs = list(it.option_feedback)
    if it.kind == "short":
        return "{" + gf + "}"
    if it.kind == "truefalse":
        return "{" + ("TRUE" if it.key else "FALSE") + "".join("#" + _escape(f) for f in fbs) + gf + "}"
    texts = it.answers if it.kind == "fill" else it.options
    fbs += [""] * (len(texts) - len(fbs))
    best = max(range(len(texts)), key=lambda i: it.weights[i]) if it.kind == "single" else -1
    parts = []
    for i, (text, w) in enumerate(zip(texts, it.weights)):
        if it.kind == "fill" or i == best:
            parts.append(_answer("=", text, w, FULL_WEIGHT, fbs[i]))
        else:
            parts.append(_answer("~", text, w, 0.0, fbs[i]))
    return "{" + " ".join(parts) + (" " + gf if gf else "") + "}"


def _dump_question(it: ParsedItem) -> str:
    head = (f"::{_escape(it.title)}::" if it.title else "") + (f"[{it.text_format}]" if it.text_format else "")
    stem, body, blank = _escape(it.stem), _dump_answers(it), f" {BLANK} "
    if stem.count(blank) == 1:
        left, right = stem.split(blank)
        return f"{head}{left} {body} {right}"
    return f"{head}{stem} {body}"


def dump(items: list[ParsedItem]) -> str:
    """导出为 GIFT 文本；parse(dump(items)) == items。"""
    blocks, category = [], ""
    for it in items:
        lines = []
        if it.category != category:
            if not it.category:
                raise ValueError("GIFT 无法在已设类别之后切换回“无类别”，请为该题指定类别")
            lines.append(f"$CATEGORY: {it.category}\n")
            category = it.category
        meta = ([f"[id:{it.ref}]"] if it.ref else []) + [f"[tag:{t}]" for t in it.tags]
        if meta:
            lines.append("// " + " ".join(meta))
        lines.append(_dump_question(it))
        blocks.append("\n".join(lines))
    return "\n\n".join(blocks) + ("\n" if blocks else "")
