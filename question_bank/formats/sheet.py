"""电子表格题库（CSV / XLSX）的导入导出与模板（纯函数，不依赖 Flask 或数据库）。

一行表头，其后每行一题；CSV（UTF-8，可带 BOM，或 GB18030）与 XLSX（第一个工作表）列相同，列序任意（读写都经 exam.tabular）：
编号 | 标题 | 等级 | 职业功能 | 题型 | 题干 | 选项A…选项F | 答案 | 解析 | 知识点 | 难度 | 标签 | 来源

读取是“全有或全无”的：收集所有行的所有错误（行号即表格行号，表头为第 1 行），每条错误以
“「列名」列：”开头，一并以 FormatError 抛出。
"""
from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field

from exam import tabular
from exam.tabular import EXAMPLE_NOTE
from exam.standard import LEVELS, area_code, level_code
from exam.tabular import cell_text  # noqa: F401  (the bank's readers and older callers use it from here)
from question_bank.formats import FormatError

LETTERS = "ABCDEF"
OPTION_COLUMNS = tuple(f"选项{c}" for c in LETTERS)
COLUMNS = ("编号", "标题", "等级", "职业功能", "题型", "题干", *OPTION_COLUMNS,
           "答案", "解析", "知识点", "难度", "标签", "来源")
REQUIRED = ("等级", "职业功能", "题型", "题干", "答案")
KINDS = {"单选": "single", "多选": "multiple", "判断": "truefalse", "填空": "fill", "简答": "short"}
KIND_NAMES = {v: k for k, v in KINDS.items()}
KIND_WORDS = "、".join(KINDS)
LEVEL_WORDS = "、".join(lvl.name for lvl in LEVELS.values())
CHOICE_KINDS = ("single", "multiple")
MIN_OPTIONS = 2
DIFFICULTIES = (1, 2, 3)
DEFAULT_DIFFICULTY = 2
#: 难度 as people write it (the template's note lists 1、2、3 and 易、中、难)
DIFFICULTY_WORDS = {"易": 1, "容易": 1, "中": 2, "中等": 2, "难": 3, "困难": 3}
TRUE_WORDS = ("正确", "对", "T", "TRUE", "√", "✓", "是")
FALSE_WORDS = ("错误", "错", "F", "FALSE", "×", "✗", "X", "否")
_LIST_SEP = re.compile(r"[、,，;；]")
_FILL_SEP = re.compile(r"[|｜]")
WIDTHS = {"编号": 10, "标题": 16, "等级": 10, "职业功能": 16, "题型": 8, "题干": 48, "答案": 16, "解析": 36,
          "知识点": 16, "难度": 6, "标签": 16, "来源": 16, **{c: 20 for c in OPTION_COLUMNS}}


@dataclass(frozen=True)
class SheetItem:
    line: int = field(compare=False)
    ref: str
    levels: tuple[str, ...]
    area: str
    kind: str
    stem: str
    options: tuple[str, ...] = ()
    key: tuple[int, ...] | bool | None = None
    answers: tuple[str, ...] = ()
    reference_answer: str = ""
    explanation: str = ""
    knowledge_point: str = ""
    difficulty: int = DEFAULT_DIFFICULTY
    tags: tuple[str, ...] = ()
    source: str = ""
    title: str = ""


# ---------------------------------------------------------------- reading

def _split(text: str, sep: re.Pattern = _LIST_SEP) -> tuple[str, ...]:
    parts = (p.strip() for p in sep.split(text))
    return tuple(dict.fromkeys(p for p in parts if p))


def _parse_row(line: int, row: dict[str, str], errors: list) -> SheetItem | None:
    bad = len(errors)

    def err(column: str, message: str) -> None:
        errors.append((line, f"“{column}”列：{message}"))

    levels: tuple[str, ...] = ()
    words = _split(row.get("等级", ""))
    if not words:
        err("等级", f"不能为空，应为 {LEVEL_WORDS} 中的一个或多个（以、或 , 分隔）")
    for w in words:
        code = level_code(w)
        if code is None:
            err("等级", f"未知等级“{w}”，应为 {LEVEL_WORDS} 之一")
        elif code not in levels:
            levels += (code,)
    levels = tuple(sorted(levels, key=lambda c: LEVELS[c].rank))

    area_text = row.get("职业功能", "")
    area = area_code(area_text)
    if not area_text:
        err("职业功能", "不能为空")
    elif area is None:
        err("职业功能", f"未知职业功能“{area_text}”")
    else:
        for code in levels:
            if area not in LEVELS[code].area_codes:
                err("职业功能", f"{LEVELS[code].name}没有职业功能“{area_text}”")

    kind_text = row.get("题型", "")
    kind = KINDS.get(kind_text.removesuffix("题")) or (kind_text if kind_text in KIND_NAMES else None)
    if kind is None:
        err("题型", f"“{kind_text}”不是有效题型，应为 {KIND_WORDS} 之一" if kind_text
            else f"不能为空，应为 {KIND_WORDS} 之一")

    stem = row.get("题干", "")
    if not stem:
        err("题干", "不能为空")
    elif tabular.is_example(stem):      # the template's own example row: never a real question
        err("题干", f"这是导入模板中的示例行（题干中有“{EXAMPLE_NOTE}”），不作为题目导入："
                    "请删除该行，或改写为真实题目并删去题干中的这个标记")
        return None

    cells = [row.get(c, "") for c in OPTION_COLUMNS]
    filled = [i for i, c in enumerate(cells) if c]
    options = tuple(cells[: filled[-1] + 1]) if filled else ()
    for i, text in enumerate(options):
        if not text:
            err(OPTION_COLUMNS[i], f"选项应从 A 开始连续填写，选项{LETTERS[i]}为空但后面还有选项")
    if kind in CHOICE_KINDS and len(filled) < MIN_OPTIONS:
        err(OPTION_COLUMNS[len(filled)], f"{KIND_NAMES[kind]}题至少需要 {MIN_OPTIONS} 个选项")
    elif kind and kind not in CHOICE_KINDS and filled:
        err(OPTION_COLUMNS[filled[0]], f"{KIND_NAMES[kind]}题不应填写选项")

    answer = row.get("答案", "")
    key, answers, reference = None, (), ""
    if not answer and kind != "short":      # an essay without reference answer imports as an incomplete draft
        err("答案", "不能为空")
    elif kind in CHOICE_KINDS:
        letters = [c for c in unicodedata.normalize("NFKC", answer).upper()
                   if not (c.isspace() or _LIST_SEP.match(c))]
        if any(c not in LETTERS for c in letters):
            err("答案", f"“{answer}”应为选项字母 A–F")
        elif kind == "single" and len(letters) != 1:
            err("答案", "单选题答案应为一个选项字母，如 B")
        elif kind == "multiple" and len(set(letters)) < MIN_OPTIONS:
            err("答案", "多选题答案应为两个或以上的选项字母，如 ACD")
        else:
            key = tuple(sorted({LETTERS.index(c) for c in letters}))
            missing = [LETTERS[i] for i in key if i >= len(options) or not options[i]]
            if missing:
                err("答案", f"答案中的选项{'、'.join(missing)}没有内容")
    elif kind == "truefalse":
        word = unicodedata.normalize("NFKC", answer).upper()
        if word in TRUE_WORDS or word in FALSE_WORDS:
            key = word in TRUE_WORDS
        else:
            err("答案", f"“{answer}”无效，判断题答案应为 正确 或 错误")
    elif kind == "fill":
        answers = _split(answer, _FILL_SEP)
        if not answers:
            err("答案", "填空题至少需要一个答案，多个可接受答案以 | 分隔")
    elif kind == "short":
        reference = answer

    difficulty = DEFAULT_DIFFICULTY
    text = row.get("难度", "")
    if text:
        try:
            number = float(DIFFICULTY_WORDS.get(text.strip(), text))
        except ValueError:
            number = None
        if number is None or not number.is_integer() or int(number) not in DIFFICULTIES:
            err("难度", f"“{text}”无效，应为 1、2 或 3（易、中、难），留空为 {DEFAULT_DIFFICULTY}")
        else:
            difficulty = int(number)

    if len(errors) > bad:
        return None
    return SheetItem(
        line=line, ref=row.get("编号", ""), levels=levels, area=area, kind=kind, stem=stem,
        options=options, key=key, answers=answers, reference_answer=reference,
        explanation=row.get("解析", ""), knowledge_point=row.get("知识点", ""),
        difficulty=difficulty, tags=_split(row.get("标签", "")), source=row.get("来源", ""),
        title=row.get("标题", ""))


def _read_rows(rows, filename: str, refused: list[tuple[int, str]] = ()) -> list[SheetItem]:
    """rows: iterable of lists of raw cell values, the first being the header; ``refused``: rows the
    file reader already refused (left blank in ``rows``), reported with the rest."""
    rows = iter(rows)
    header = [cell_text(v) for v in next(rows, [])]
    errors: list[tuple[int, str]] = list(refused)
    if not any(header):
        raise FormatError(filename, [(1, "第 1 行应为表头，如：" + "、".join(COLUMNS))])
    index: dict[str, int] = {}
    for i, name in enumerate(header):
        if not name:
            continue
        if name not in COLUMNS:
            errors.append((1, f"“{name}”列：未知的列名，应为 {'、'.join(COLUMNS)} 之一"))
        elif name in index:
            errors.append((1, f"“{name}”列：表头重复"))
        index.setdefault(name, i)
    errors += [(1, f"“{name}”列：缺少此列") for name in REQUIRED if name not in index]
    if errors:
        raise FormatError(filename, errors)

    items = []
    for line, raw in enumerate(rows, start=2):
        cells = [cell_text(v) for v in raw]
        if not any(cells):
            continue
        row = {name: cells[i] if i < len(cells) else "" for name, i in index.items()}
        item = _parse_row(line, row, errors)
        if item is not None:
            items.append(item)
    if errors:
        raise FormatError(filename, errors)
    return items


#: More items than this in one file is refused (split the file): the check stays quick for any upload.
MAX_ITEMS = 5000


def _read_file(data: bytes, filename: str, kind: str) -> list[SheetItem]:
    """Through the one tabular reader (exam.tabular): encodings, .xls refusal, row cap, merged cells."""
    try:
        rows = tabular.read(filename, data, max_rows=MAX_ITEMS, extra_rows=1, kind=kind)
    except tabular.TabularError as exc:
        raise FormatError(filename, [(1, str(exc))]) from None
    # a merge across columns (选项A:选项B) would copy one option into both: refused, naming the range
    merged = tabular.wide_merges(rows)
    bad = {line for line, _ in merged}
    lines = {line: cells for line, cells in rows if line not in bad}
    if not lines:
        return _read_rows([], filename)
    last = max(lines)
    return _read_rows((lines.get(n, []) for n in range(1, last + 1)), filename, merged)


def read_csv(data: bytes, filename: str = "题库.csv") -> list[SheetItem]:
    return _read_file(data, filename, "csv")


def read_xlsx(data: bytes, filename: str = "题库.xlsx") -> list[SheetItem]:
    return _read_file(data, filename, "xlsx")


# ---------------------------------------------------------------- writing

def _answer_text(item: SheetItem) -> str:
    if item.kind in CHOICE_KINDS:
        return "".join(LETTERS[i] for i in item.key)
    if item.kind == "truefalse":
        return TRUE_WORDS[0] if item.key else FALSE_WORDS[0]
    if item.kind == "fill":
        if any(_FILL_SEP.search(a) for a in item.answers):
            raise ValueError(f"“{item.stem}”的填空答案含 |，表格格式无法表示")
        return "|".join(item.answers)
    return item.reference_answer


def _row(item: SheetItem) -> list:
    if len(item.options) > len(LETTERS):
        raise ValueError(f"“{item.stem}”有 {len(item.options)} 个选项，表格最多 {len(LETTERS)} 个")
    first = LEVELS[item.levels[0]] if item.levels else None
    area = first.area(item.area).name if first and item.area in first.area_codes else item.area
    options = list(item.options) + [""] * (len(LETTERS) - len(item.options))
    return [item.ref, item.title, "、".join(LEVELS[c].name for c in item.levels), area, KIND_NAMES[item.kind],
            item.stem, *options, _answer_text(item), item.explanation, item.knowledge_point,
            item.difficulty, "、".join(item.tags), item.source]


def write_csv(items) -> bytes:
    return tabular.csv_bytes(COLUMNS, (_row(it) for it in items))


def _sheet(items, choices: dict | None = None) -> tabular.Sheet:
    return tabular.Sheet("题库", COLUMNS, (_row(it) for it in items), [WIDTHS[c] for c in COLUMNS], wrap=True,
                         choices=choices or {})


def _choices() -> dict:
    """The template's drop-downs: 题型 and 难度 strict, 等级 and 职业功能 as help (several levels may share a row)."""
    areas = list(dict.fromkeys(a.name for lvl in LEVELS.values() for a in lvl.areas))
    return {
        COLUMNS.index("题型"): tabular.Choice(tuple(KINDS), strict=True),
        COLUMNS.index("难度"): tabular.Choice(("易", "中", "难", "1", "2", "3"), strict=True),
        COLUMNS.index("等级"): tabular.Choice(tuple(lvl.name for lvl in LEVELS.values()),
                                              prompt="可选一个，或手填多个，如 初级、中级"),
        COLUMNS.index("职业功能"): tabular.Choice(tuple(areas), prompt="须在所填的每个等级中都存在（见填写说明）"),
    }


def write_xlsx(items) -> bytes:
    return tabular.xlsx_bytes([_sheet(items)])


# ---------------------------------------------------------------- template

#: One example row per question type, written as the 填写说明 describes. Each stem starts with the
#: example mark (``exam.tabular.EXAMPLE_NOTE``, as the roster template's name does), so a row left in the
#: file is refused by name on import; without the mark the row is a valid question of its type.
EXAMPLES = (
    SheetItem(line=2, ref="FW-001", levels=("junior", "intermediate"), area="service", kind="single",
              stem=EXAMPLE_NOTE + "客户来电表示等待时间过长、情绪不满时，坐席首先应当怎样回应？",
              options=("“非常抱歉让您久等了，我马上为您处理。”", "“现在是高峰期，大家都在等。”",
                       "“这不是我的问题。”", "直接询问客户的业务需求"),
              key=(0,), explanation="先致歉安抚情绪，再进入业务处理。", knowledge_point="情绪安抚",
              difficulty=1, tags=("服务用语", "投诉处理"), source="培训教材第三章", title="久等致歉"),
    SheetItem(line=3, ref="FW-002", levels=("junior",), area="service", kind="multiple",
              stem=EXAMPLE_NOTE + "受理客户投诉时，坐席应当做到哪些？",
              options=("耐心倾听，不打断客户", "复述确认客户诉求", "与客户争论责任归属", "告知处理时限并跟进"),
              key=(0, 1, 3), explanation="争论责任会激化矛盾。", knowledge_point="投诉受理", difficulty=2,
              tags=("投诉处理", "少选得分")),
    SheetItem(line=4, ref="FW-003", levels=("junior",), area="basics", kind="truefalse",
              stem=EXAMPLE_NOTE + "首问负责制要求第一位接到诉求的员工负责跟踪到底。", key=True, knowledge_point="首问负责制"),
    SheetItem(line=5, ref="FW-004", levels=("junior",), area="service", kind="fill",
              stem=EXAMPLE_NOTE + "通话结束前，坐席应询问客户：“请问还有其他可以____您的吗？”",
              answers=("帮助", "帮"), explanation="标准结束语。", knowledge_point="结束语",
              difficulty=1, tags=("服务用语",), source="服务规范"),
    SheetItem(line=6, ref="FW-005", levels=("intermediate",), area="service", kind="short",
              stem=EXAMPLE_NOTE + "简述处理客户投诉的基本步骤。",
              reference_answer="倾听并致歉，记录诉求，提出方案，跟进回访。\n- 倾听并致歉\n- 记录诉求\n- 提出解决方案\n- 跟进回访",
              knowledge_point="投诉处理流程", difficulty=2),
)

_OPTION_HELP = (f"单选、多选题的选项，从选项A 开始连续填写，至少 {MIN_OPTIONS} 个、最多 {len(LETTERS)} 个；"
                "判断、填空、简答题不填。")
_HELP = {
    "编号": "题目在本单位的编号，便于查找与更新：再次导入同一编号时，内容有变化的题目生成新版本（预览中列出改动），"
            "不会重复添加。留空时按题型与题干生成编号。",
    "标题": "题目的名称，方便培训师查找（如 Moodle 的题目名称、GIFT 的 ::名称::），最多 200 字；只在题库中显示，"
            "考生的试卷上不显示。与编号相同时不另存。",
    "等级": f"{LEVEL_WORDS}（或代码 {'、'.join(LEVELS)}），多个等级以、或 , 分隔。可从下拉列表选择，也可手填多个。",
    "职业功能": "职业功能的名称或代码（见下表），须在所填的每个等级中都存在。",
    "题型": f"{KIND_WORDS} 之一（下拉选择）。",
    "题干": "题目内容。填空题用 ____（四个下划线）标出填空处。文字按原样保存：尖括号、& 等不会丢失；"
            "换行保留。表格无法携带图片：题干含图片的题目请用 Moodle XML 或 QTI 内容包导入导出。",
    "答案": "单选填一个字母，如 B；多选填两个或以上字母，如 ACD；判断填 正确 或 错误（也可填 对/错、T/F、√/×）；"
            "填空填可接受的答案，多个可接受的答案以 | 分隔（如 来电|致电；写成 来电/致电 或 来电；致电 会被当作一个答案，"
            "导入时会提示）；简答题：第一行起为参考答案，以“- ”或“要点：”开头的每一行是一条评分要点"
            "（考评员按要点给分，至少一条）。简答题不填答案也可导入，但只能作为草稿，补全参考答案和评分要点后才能提交审核。",
    "解析": "答案解析，练习时展示。",
    "知识点": "对应的知识点。",
    "难度": f"{'、'.join(map(str, DIFFICULTIES))}，分别为易、中、难（也可直接填 易、中、难），留空为 {DEFAULT_DIFFICULTY}。",
    "标签": "多个标签以、或 , 分隔。多选题计分：默认“全对得分”（选对全部正确选项才得分，所有导入格式相同）；"
            "加标签“少选得分”则少选按比例得分、错选不得分。标签“分类:服务/投诉”把题目放入该分类。",
    "来源": "出处，如教材章节。",
}


def _help_rows():
    for name in COLUMNS:
        yield [name, "必填" if name in REQUIRED else "选填", _HELP.get(name, _OPTION_HELP)]
    yield []
    yield ["等级", "等级代码", "职业功能（名称 / 代码 / 理论比重%）"]
    for lvl in LEVELS.values():
        yield [lvl.name, lvl.code, "；".join(f"{a.name} / {a.code} / {a.weight}" for a in lvl.areas)]
    yield []
    yield ["示例行", "", f"“题库”表第 2–{len(EXAMPLES) + 1} 行是每种题型的示例，题干以“{EXAMPLE_NOTE}”开头，"
                      "导入时不会作为题目导入（预览中列为无法导入）：请删除这些行，或改写为真实题目并删去题干中的这个标记。"]


def template_xlsx() -> bytes:
    explain = tabular.Sheet("填写说明", ("列名", "是否必填", "说明"), _help_rows(), (12, 10, 90), wrap=True,
                            bold=(len(COLUMNS) + 2,))
    return tabular.xlsx_bytes([_sheet(EXAMPLES, _choices()), explain])
