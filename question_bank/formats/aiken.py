"""Moodle Aiken 格式（单选题）的解析与导出（纯函数，不依赖 Flask 或数据库）。

格式：题干一行或多行（多行以换行连接），直到第一条选项行；选项行为 “A. 文本” 或
“A) 文本”（大写字母、句点或右括号、空格）；最后单独一行 “ANSWER: B”。题目之间以空行
分隔，ANSWER 行之后不空行直接开始下一题也可以（与 Moodle 一致）。

为兼容中文 Word 文档，也接受全角写法：“Ａ．文本”“Ａ）文本”“A、文本”“A)文本”（除半角句点外，标点后可不加空格）、
“ＡＮＳＷＥＲ：Ｂ”，以及 \\r\\n 换行与文件开头的 BOM。
"""
from __future__ import annotations

import re
import unicodedata

from question_bank.formats import FormatError
from question_bank.formats.gift import FULL_WEIGHT, ParsedItem

LETTERS = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
OPTION_FORMS = "“A. 文本”“A) 文本”“A、文本”或“A．文本”（全角亦可）"
MIN_OPTIONS = 2
_INVISIBLE = "\u200b\u200c\u200d\u2060\ufeff"      # Word 常夹带的零宽字符
_OPTION_RE = re.compile(r"([A-Z])[.)、]$")
_ANSWER_RE = re.compile(r"ANSWER\s*:(.*)$")


class AikenError(FormatError):
    """Aiken 文件有误。"""


def _option(line: str):
    """选项行返回 (字母, 文本)，否则 None。全角标点后允许不加空格。"""
    if len(line) < 2 or not _OPTION_RE.match(unicodedata.normalize("NFKC", line[:2])):
        return None
    if line[1] == "." and not line[2:3].isspace():
        return None                     # "A.B 公司…" is a stem line; "A)text", "A、text", "A．text" are options
    return unicodedata.normalize("NFKC", line[0]), line[2:].strip()


def _answer(line: str):
    """ANSWER 行返回其后的内容（已转半角、去空白），否则 None。"""
    m = _ANSWER_RE.match(unicodedata.normalize("NFKC", line))
    return m.group(1).strip() if m else None


class _Parser:
    def __init__(self):
        self.items: list[ParsedItem] = []
        self.errors: list[tuple[int, str]] = []
        self.cur = None    # 正在读的题：{"line", "stem", "options", "orphan"}

    def start(self, num: int, stem: list[str], orphan: bool = False) -> None:
        self.cur = {"line": num, "stem": stem, "options": [], "orphan": orphan, "last": -1}

    def close(self, num: int | None = None, letter: str | None = None) -> None:
        """结束当前题；num/letter 为 ANSWER 行的行号与字母（无 ANSWER 行时为 None）。"""
        q, self.cur = self.cur, None
        if q is None or q["orphan"]:
            return
        n, options = q["line"], q["options"]
        ok = True
        if len(options) < MIN_OPTIONS:
            self.errors.append((n, f"选项少于 {MIN_OPTIONS} 个（选项每行一个，写作 {OPTION_FORMS}）"))
            ok = False
        if num is None:
            self.errors.append((n, "缺少 ANSWER: 行"))
            return
        if len(letter) != 1 or letter not in LETTERS:
            self.errors.append((num, f"ANSWER 行应为单个大写字母，实际为“{letter}”"))
            return
        idx = LETTERS.index(letter)
        if idx >= len(options):
            self.errors.append((num, f"答案 {letter} 不在选项中"))
            return
        if ok:
            self.items.append(ParsedItem(
                line=n, kind="single", stem="\n".join(q["stem"]), options=list(options),
                weights=[FULL_WEIGHT if i == idx else 0.0 for i in range(len(options))],
                answers=[], key=[idx], general_feedback="", option_feedback=[""] * len(options),
                category="", tags=[], ref=None, title="", text_format="plain"))

    def feed(self, num: int, raw: str) -> None:
        line = raw.strip()
        if not line:
            self.close()
            return
        opt, ans = _option(line), _answer(line)
        if ans is not None:
            if self.cur is None:
                self.errors.append((num, "ANSWER 行前没有题目"))
            self.close(num, ans)
        elif opt is not None:
            letter, text = opt
            if self.cur is None:
                self.errors.append((num, "选项前缺少题目"))
                self.start(num, [], orphan=True)
            nxt, self.cur["last"] = self.cur["last"] + 1, LETTERS.index(letter)
            expected = LETTERS[nxt] if nxt < len(LETTERS) else "（无）"
            if letter != expected:
                self.errors.append((num, f"选项字母顺序错误或重复：应为 {expected}，实际为 {letter}"))
            if not text:
                self.errors.append((num, f"选项 {letter} 内容为空"))
            self.cur["options"].append(text)
        else:
            text = line.strip(_INVISIBLE).strip()
            if self.cur is not None and self.cur["options"]:
                self.close()                      # 选项之后又出现题干：上一题缺 ANSWER
            if self.cur is None:
                if not text:
                    self.errors.append((num, "题干为空"))
                self.start(num, [text])
            else:
                self.cur["stem"].append(text)


def parse(text: str, filename: str = "<aiken>") -> list[ParsedItem]:
    """解析整份 Aiken 文本；有任何错误则抛出汇总全部错误的 AikenError。"""
    text = text.lstrip("\ufeff").replace("\r\n", "\n").replace("\r", "\n")
    parser = _Parser()
    for num, line in enumerate(text.split("\n"), 1):
        parser.feed(num, line)
    parser.close()
    if parser.errors:
        raise AikenError(filename, parser.errors)
    return parser.items


def dump(items: list[ParsedItem]) -> str:
    """导出为 Aiken 文本（仅单选题）；parse(dump(items)) == items。"""
    blocks = []
    for n, it in enumerate(items, 1):
        if it.kind != "single":
            raise ValueError(f"Aiken 格式只支持单选题，第 {n} 题的题型为 {it.kind}")
        if not MIN_OPTIONS <= len(it.options) <= len(LETTERS):
            raise ValueError(f"第 {n} 题的选项数须在 {MIN_OPTIONS}～{len(LETTERS)} 之间")
        if any("\n" in o or not o.strip() for o in it.options):
            raise ValueError(f"第 {n} 题有选项为空或含换行，Aiken 格式无法表示")
        stem = [s.strip() for s in it.stem.split("\n")]
        if any(not s or _option(s) or _answer(s) is not None for s in stem):
            raise ValueError(f"第 {n} 题的题干含空行或形似选项/ANSWER 的行，Aiken 格式无法表示")
        best = it.key[0] if it.key else max(range(len(it.options)), key=lambda i: it.weights[i])
        lines = stem + [f"{LETTERS[i]}. {o.strip()}" for i, o in enumerate(it.options)]
        blocks.append("\n".join(lines + [f"ANSWER: {LETTERS[best]}"]))
    return "\n\n".join(blocks) + ("\n" if blocks else "")
