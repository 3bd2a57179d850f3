"""Typing passages on a database session: validate, create, edit, retire and restore, list, and load
the stock passages shipped with the application.

No Flask here: the trainer's pages, the demo loader and the typing test all come through these, so
a passage is judged the same way whichever door it uses, and its length and difficulty are always
computed here from its text — never taken from the caller.
"""

from __future__ import annotations

import json
import re
import unicodedata
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import or_
from sqlmodel import Session, select

from exam import standard
from exam.timeutil import utcnow
from typing_test import difficulty
from typing_test.models import ACTIVE, MAX_PASSAGE_CHARS, MIN_PASSAGE_CHARS, RETIRED, TypingPassage
from typing_test.normalise import char_count

STOCK_PATH = Path(__file__).with_name("stock_passages.json")

MAX_TITLE = 200
MAX_SOURCE = 200
#: A Chinese typing test copies Chinese: at least this share of the characters must be Han
#: (ordinary prose is about 85 %, the rest punctuation and digits).
MIN_HAN_SHARE = 0.5
REF_PATTERN = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,63}")
#: Unicode categories that never belong in a passage: control and format characters (zero-width
#: spaces, direction marks), surrogates, private-use and unassigned code points.
_UNPRINTABLE = {"Cc", "Cf", "Cs", "Co", "Cn"}
FIELD_NAMES = {"ref": "编号", "title": "标题", "level": "等级", "source": "来源", "text": "正文"}


class PassageError(ValueError):
    """Every problem found, each a (field, predicate) pair; the message names each field in Chinese
    ("正文共 120 字，……") so it can be shown on its own, and a form can show the predicate beside
    the field it belongs to."""

    def __init__(self, problems: list[tuple[str, str]]):
        self.problems = problems
        super().__init__("；".join(self.messages))

    @property
    def messages(self) -> list[str]:
        return [FIELD_NAMES.get(name, "") + text for name, text in self.problems]

    def for_field(self, name: str) -> list[str]:
        return [text for field, text in self.problems if field == name]


@dataclass(frozen=True)
class PassageData:
    title: str
    level: str
    source: str
    text: str
    ref: str | None = None

    @property
    def char_count(self) -> int:
        return char_count(self.text)

    @property
    def rare_share(self) -> float:
        return difficulty.rare_share(self.text)


def _level_names() -> str:
    return "、".join(lvl.name for lvl in standard.LEVELS.values())


def clean_text(text: str) -> str:
    """Paragraphs one a line, without the blank lines and stray indentation of pasted text."""
    return "\n".join(line.strip() for line in (text or "").splitlines() if line.strip())


def _unprintable(value: str, limit: int = 3) -> list[str]:
    """Where the invisible characters are, by paragraph and position, so a trainer can find them."""
    found = []
    for para_no, line in enumerate(value.splitlines(), 1):
        for col, char in enumerate(line, 1):
            if char != "\t" and unicodedata.category(char) in _UNPRINTABLE:
                found.append(f"第 {para_no} 段第 {col} 个字处（U+{ord(char):04X}）")
                if len(found) == limit:
                    return found
    return found


def long_enough(text: str, level: str) -> bool:
    """More Han characters than a 100 字/分 typist types in the level's time limit (exam.standard)."""
    return len(difficulty.han_chars(text)) > standard.typing_passage_min_han(level)


def length_rule() -> str:
    """The rule in words, for the trainer's form."""
    need = "、".join(f"{lvl.name}多于 {standard.typing_passage_min_han(code)} 个" for code, lvl in standard.LEVELS.items())
    return (f"汉字数须多于每分钟 {standard.TYPING_FAST_TYPIST_CPM} 字 × 该等级的限时（{need}），"
            "以免快速录入的考生无字可录。")


def _length_problem(text: str, level: str) -> str | None:
    han, need = len(difficulty.han_chars(text)), standard.typing_passage_min_han(level)
    if han > need:
        return None
    minutes = standard.typing_rule(level).minutes
    return (f"只有 {han} 个汉字：{standard.level(level).name}打字测试限时 {minutes} 分钟，按每分钟 "
            f"{standard.TYPING_FAST_TYPIST_CPM} 字的快速录入计，文章至少需要 {need + 1} 个汉字"
            f"（标点、数字和字母不计），请再补充 {need + 1 - han} 个汉字以上")


def _text_problems(text: str) -> list[str]:
    if not text:
        return ["不能为空"]
    problems = []
    hidden = _unprintable(text)
    if hidden:
        problems.append(f"含有不可打印的字符：{'、'.join(hidden)}，请删除后再保存")
    count = char_count(text)
    if not MIN_PASSAGE_CHARS <= count <= MAX_PASSAGE_CHARS:
        problems.append(f"共 {count} 字，应在 {MIN_PASSAGE_CHARS} 至 {MAX_PASSAGE_CHARS} 字之间"
                        "（标点计入，空格和换行不计）")
    han = len(difficulty.han_chars(text))
    if count and han / count < MIN_HAN_SHARE:
        problems.append(f"应以汉字为主：现有汉字 {han} 个，占 {han * 100 // count}%，至少应占 "
                        f"{int(MIN_HAN_SHARE * 100)}%")
    return problems


def validate(raw: dict) -> PassageData:
    """The plain dict any door produces (form, stock file) → PassageData, or PassageError listing
    every problem at once, so a trainer fixes a passage in one round."""
    problems: list[tuple[str, str]] = []
    ref = str(raw.get("ref") or "").strip() or None
    if ref is not None and not REF_PATTERN.fullmatch(ref):
        problems.append(("ref", "只能由字母、数字和 . _ - 组成，以字母或数字开头，最长 64 个字符"))
    title = " ".join(str(raw.get("title") or "").split())
    if not title:
        problems.append(("title", "不能为空"))
    elif len(title) > MAX_TITLE:
        problems.append(("title", f"不能超过 {MAX_TITLE} 个字（现为 {len(title)} 个）"))
    elif _unprintable(title):
        problems.append(("title", "含有不可打印的字符，请删除后再保存"))
    level_word = str(raw.get("level") or "").strip()
    level = standard.level_code(level_word) if level_word else None
    if not level_word:
        problems.append(("level", f"不能为空，应为 {_level_names()} 之一"))
    elif level is None:
        problems.append(("level", f"“{level_word}”不存在，应为 {_level_names()} 之一"))
    source = " ".join(str(raw.get("source") or "").split())
    if len(source) > MAX_SOURCE:
        problems.append(("source", f"不能超过 {MAX_SOURCE} 个字（现为 {len(source)} 个）"))
    elif _unprintable(source):
        problems.append(("source", "含有不可打印的字符，请删除后再保存"))
    text = clean_text(str(raw.get("text") or ""))
    text_problems = _text_problems(text)
    if not text_problems and level is not None:
        text_problems = [p for p in [_length_problem(text, level)] if p]
    problems += [("text", p) for p in text_problems]
    if problems:
        raise PassageError(problems)
    return PassageData(title=title, level=level, source=source, text=text, ref=ref)


def check(raw: dict) -> tuple[PassageData | None, list[str]]:
    """``validate`` for callers that collect problems rather than stop at them."""
    try:
        return validate(raw), []
    except PassageError as exc:
        return None, exc.messages


def get(db: Session, passage_id: int) -> TypingPassage | None:
    return db.get(TypingPassage, passage_id)


def _existing(db: Session, passage_id: int) -> TypingPassage:
    passage = db.get(TypingPassage, passage_id)
    if passage is None:
        raise LookupError(f"打字文章 {passage_id} 不存在")
    return passage


def _check_ref(db: Session, ref: str | None, passage_id: int | None = None) -> None:
    if ref is None:
        return
    other = db.exec(select(TypingPassage.id).where(TypingPassage.ref == ref)).first()
    if other is not None and other != passage_id:
        raise PassageError([("ref", f"“{ref}”已被另一篇文章使用")])


def _apply(passage: TypingPassage, data: PassageData) -> None:
    passage.ref, passage.title, passage.level = data.ref, data.title, data.level
    passage.source, passage.text = data.source, data.text
    passage.char_count, passage.rare_share = data.char_count, data.rare_share


def create(db: Session, data: PassageData, author_id: int | None = None) -> TypingPassage:
    _check_ref(db, data.ref)
    passage = TypingPassage(title=data.title, level=data.level, text=data.text, char_count=0, rare_share=0.0,
                            status=ACTIVE, created_by=author_id)
    _apply(passage, data)
    db.add(passage)
    db.flush()
    return passage


def update(db: Session, passage_id: int, data: PassageData) -> TypingPassage:
    """Attempts already started keep the text they copied, so an edit never changes a result."""
    passage = _existing(db, passage_id)
    _check_ref(db, data.ref, passage_id)
    _apply(passage, data)
    passage.updated_at = utcnow()
    db.add(passage)
    db.flush()
    return passage


def _set_status(db: Session, passage_id: int, status: str) -> TypingPassage:
    passage = _existing(db, passage_id)
    if passage.status != status:
        passage.status = status
        passage.updated_at = utcnow()
        db.add(passage)
        db.flush()
    return passage


def retire(db: Session, passage_id: int) -> TypingPassage:
    """Retired passages are no longer drawn for new typing tests; nothing is deleted, because past
    attempts still name the passage they were typed against."""
    return _set_status(db, passage_id, RETIRED)


def restore(db: Session, passage_id: int) -> TypingPassage:
    """Only a passage that meets today's rules may be drawn again: one too short for the time limit
    (written before the rule, or retired by ``refresh_stock``) must be lengthened first."""
    passage = _existing(db, passage_id)
    problem = _length_problem(passage.text, passage.level)
    if problem:
        raise PassageError([("text", problem + "，加长后再恢复使用")])
    return _set_status(db, passage_id, ACTIVE)


def _like(text: str) -> str:
    escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def _order(passage: TypingPassage) -> tuple:
    lvl = standard.LEVELS.get(passage.level)
    return (lvl.rank if lvl else 99, passage.status != ACTIVE, passage.ref or "~", passage.title, passage.id)


def list_passages(db: Session, level: str | None = None, status: str | None = None,
                  query: str | None = None) -> list[TypingPassage]:
    """By level (the standard's order), active before retired, then by reference and title."""
    stmt = select(TypingPassage)
    if level:
        stmt = stmt.where(TypingPassage.level == level)
    if status:
        stmt = stmt.where(TypingPassage.status == status)
    if query and query.strip():
        pattern = _like(query.strip())
        stmt = stmt.where(or_(*(column.ilike(pattern, escape="\\") for column in (
            TypingPassage.title, TypingPassage.text, TypingPassage.ref, TypingPassage.source))))
    return sorted(db.exec(stmt).all(), key=_order)


def active_for_level(db: Session, level: str) -> list[TypingPassage]:
    return list_passages(db, level=standard.level(level).code, status=ACTIVE)


def drawable_for_level(db: Session, level: str) -> list[TypingPassage]:
    """The active passages a typing test may draw: those long enough for the level's time limit (a
    passage stored before the rule, or a limit changed since, never reaches a candidate)."""
    code = standard.level(level).code
    return [p for p in active_for_level(db, code) if long_enough(p.text, code)]


def retire_short(db: Session) -> list[TypingPassage]:
    """Retire every active passage too short for its level's time limit (they cannot be drawn any
    more); past attempts keep the text they copied. Returns those retired."""
    short = [p for p in list_passages(db, status=ACTIVE) if not long_enough(p.text, p.level)]
    for passage in short:
        _set_status(db, passage.id, RETIRED)
    return short


def refresh_stock(db: Session, author_id: int | None = None, path: Path = STOCK_PATH) -> tuple[int, list[TypingPassage]]:
    """What an existing installation runs to get today's stock (``callexam passages refresh``, and
    ``callexam demo load``): the stock passages not yet present are added, and active passages too
    short for the time limit — the first stock's among them — are retired. Idempotent."""
    added = load_stock(db, author_id, path)
    return added, retire_short(db)


def stock_entries(path: Path = STOCK_PATH) -> list[dict]:
    return json.loads(path.read_text(encoding="utf-8"))


def load_stock(db: Session, author_id: int | None = None, path: Path = STOCK_PATH) -> int:
    """Add the stock passages not yet present (matched by ``ref``); returns how many were added.

    All or nothing: every entry is validated before any is written, so a broken file never leaves
    half a stock behind, and loading twice adds nothing the second time. Stock passages already in
    the database are left as trainers may have edited them.
    """
    problems: list[tuple[str, str]] = []
    valid: list[PassageData] = []
    seen: set[str] = set()
    for number, raw in enumerate(stock_entries(path), 1):
        name = str(raw.get("ref") or f"第 {number} 篇")
        try:
            data = validate(raw)
        except PassageError as exc:
            problems += [("stock", f"{name}：{message}") for message in exc.messages]
            continue
        if data.ref is None:
            problems.append(("stock", f"{name}：库存文章必须有编号"))
        elif data.ref in seen:
            problems.append(("stock", f"{name}：编号重复"))
        else:
            seen.add(data.ref)
            valid.append(data)
    if problems:
        raise PassageError(problems)
    present = set(db.exec(select(TypingPassage.ref).where(TypingPassage.ref.in_(seen))).all())
    added = 0
    for data in valid:
        if data.ref not in present:
            create(db, data, author_id)
            added += 1
    return added


def author_name(db: Session, passage: TypingPassage) -> str:
    """Who wrote it, for the detail page; stock passages have no author."""
    from exam.accounts.models import User
    user = db.get(User, passage.created_by) if passage.created_by else None
    return user.display_name or user.username if user else "系统（库存文章）"
