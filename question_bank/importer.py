"""Imports a whole file into the bank, or none of it, and exports the bank in the same four formats.

``read_file`` (pure) turns bytes into validated ItemData, collecting every problem of the file with
its line; ``preview`` adds what each item would do to the bank; ``commit`` does it in the caller's
transaction. The web page shows the preview and commits on confirmation; the CLI does both at once.
Imported items arrive as drafts: they go through review like any other item.
"""

from __future__ import annotations

import csv
import dataclasses
import io
import re
from dataclasses import dataclass, field

from openpyxl import load_workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from sqlmodel import Session, select

from exam.audit import service as audit
from question_bank import diff, media_store, service, transfer
from question_bank.formats import FormatError, aiken, at, gift, made_ref, media, moodle_xml, qti, sheet, where
from question_bank.formats import text as text_format
from question_bank.models import DRAFT, Category, Item, ItemVersion
from question_bank.transfer import Defaults, MappingError
from question_bank.transfer_sheet import from_sheet, to_sheet
from question_bank.validation import ItemData, ItemError, markup_changes, validate

FORMATS = {"gift": "GIFT（Moodle）", "aiken": "Aiken（仅单选题）", "moodlexml": "Moodle XML",
           "qti": "QTI 3.0 内容包（.zip，导入也接受 QTI 2.1）", "csv": "CSV 表格", "xlsx": "Excel 表格（.xlsx）"}
#: Longest suffix first: "x.aiken.txt" is Aiken; any other ".txt" is looked at (``_sniff_txt``).
SUFFIXES = ((".aiken.txt", "aiken"), (".aiken", "aiken"), (".gift", "gift"), (".txt", "txt"),
            (".xml", "moodlexml"), (".zip", "qti"), (".csv", "csv"), (".xlsx", "xlsx"))
EXPORT_SUFFIX = {"gift": ".gift.txt", "aiken": ".aiken.txt", "moodlexml": ".moodle.xml", "qti": ".qti3.zip",
                 "csv": ".csv", "xlsx": ".xlsx"}
MIMETYPES = {"gift": "text/plain; charset=utf-8", "aiken": "text/plain; charset=utf-8",
             "moodlexml": "application/xml", "qti": "application/zip",
             "csv": "text/csv; charset=utf-8",
             "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"}
#: Formats that report refused questions themselves (the rest of the file is still read).
_SELF_REPORTING = ("moodlexml", "qti")
MAX_BYTES = 5 * 1024 * 1024

CREATE, UPDATE, UNCHANGED = "create", "update", "unchanged"
ACTIONS = {CREATE: "新增", UPDATE: "更新（生成新版本）", UNCHANGED: "无变化"}


class BankImportError(FormatError):
    """The file cannot be imported; ``errors`` holds every (line, message), line 0 for the whole file.

    (Not called ``ImportError``: that name belongs to Python.)"""

    def __init__(self, filename: str, errors: list[tuple[int, str]]):
        self.filename = filename
        self.errors = sorted(set(errors))
        ValueError.__init__(self, "\n".join(self.lines()))

    def lines(self) -> list[str]:
        return [f"{where(self.filename, n)}：{m}" for n, m in self.errors]


@dataclass(frozen=True)
class PreviewRow:
    line: int
    data: ItemData
    action: str
    changes: tuple = ()          # diff.FieldChange per changed field, for an update
    warnings: tuple = ()         # what the trainer should check (nothing changes silently)

    @property
    def shown(self) -> dict[str, str]:
        """The fields the preview shows (options, key …) as plain text."""
        return diff.describe(self.data)


@dataclass(frozen=True)
class Reading:
    """What a file holds: the items that can be imported and every question refused, with its reason."""

    fmt: str
    items: list[tuple[int, ItemData, tuple]]     # (line, data, warnings)
    refused: list[tuple[int, str]]


@dataclass
class ImportPreview:
    filename: str
    fmt: str
    rows: list[PreviewRow]
    refused: list[tuple[int, str]] = field(default_factory=list)
    partial: bool = False

    def count(self, action: str) -> int:
        return sum(1 for r in self.rows if r.action == action)

    @property
    def changes(self) -> int:
        return self.count(CREATE) + self.count(UPDATE)


@dataclass(frozen=True)
class ImportReport:
    created: int
    updated: int
    unchanged: int


@dataclass(frozen=True)
class ExportResult:
    data: bytes
    exported: int
    left_out: list[str] = field(default_factory=list)   # one Chinese reason per item not exported
    #: what an exported item lost because the format has no place for it (Aiken: the title)
    notes: list[str] = field(default_factory=list)


# ---------------------------------------------------------------- reading

def detect_format(filename: str, fmt: str | None) -> str:
    if fmt:
        if fmt not in FORMATS:
            raise BankImportError(filename, [(0, f"不支持的格式“{fmt}”，应为 {'、'.join(FORMATS)} 之一")])
        return fmt
    lower = filename.lower()
    for suffix, found in SUFFIXES:
        if lower.endswith(suffix):
            return found
    raise BankImportError(filename, [(0, "无法从扩展名判断文件格式：请使用 .gift/.txt（GIFT 或 Aiken）、.aiken.txt（Aiken）、"
                                         ".xml（Moodle XML）、.zip（QTI 内容包）、.csv 或 .xlsx，或明确选择格式")])


_AIKEN_ANSWER = re.compile(r"^\s*(ANSWER|ＡＮＳＷＥＲ)\s*[:：]", re.M)
_GIFT_BLOCK = re.compile(r"\{[^{}]*[=~}]|^::|\{\s*(T|F|TRUE|FALSE)\s*\}", re.M)


def _sniff_txt(filename: str, data: bytes) -> str:
    """A .txt file is Aiken when it has ``ANSWER:`` lines and no GIFT answer block, else GIFT."""
    text = decode(data, filename)
    if _AIKEN_ANSWER.search(text) and not _GIFT_BLOCK.search(text):
        return "aiken"
    return "gift"


def decode(data: bytes, filename: str) -> str:
    """``formats.text.decode`` with the importer's error type (kept here for existing callers)."""
    try:
        return text_format.decode(data, filename)
    except FormatError as exc:
        raise BankImportError(filename, exc.errors) from None


def _read(filename: str, data: bytes, fmt: str) -> list:
    if fmt == "moodlexml":
        return moodle_xml.parse(data, filename)
    if fmt == "qti":
        return qti.read_package(data, filename)
    if fmt == "xlsx":
        return sheet.read_xlsx(data, filename)
    text = decode(data, filename)
    if fmt == "csv":
        return sheet.read_csv(text.encode("utf-8"), filename)
    return (gift if fmt == "gift" else aiken).parse(text, filename)


def _blank(filename: str, data: bytes, fmt: str, lines: set[int]) -> bytes:
    """The file with the items on ``lines`` emptied, every other item on the line it was on."""
    if fmt == "xlsx":
        book = load_workbook(io.BytesIO(data))
        sheet_ = book.worksheets[0]
        for merge in list(sheet_.merged_cells.ranges):       # unmerged first, each cell keeping the value it read as
            if any(merge.min_row <= n <= merge.max_row for n in lines):
                value = sheet_.cell(merge.min_row, merge.min_col).value
                sheet_.unmerge_cells(str(merge))
                for row in sheet_.iter_rows(min_row=merge.min_row, max_row=merge.max_row,
                                            min_col=merge.min_col, max_col=merge.max_col):
                    for cell in row:
                        cell.value = value
        for n in lines:
            for cell in sheet_[n]:
                cell.value = None
        out = io.BytesIO()
        book.save(out)
        return out.getvalue()
    text = decode(data, filename).replace("\r\n", "\n").replace("\r", "\n")
    if fmt == "csv":
        rows = list(csv.reader(io.StringIO(text, newline="")))
        for n in lines:
            rows[n - 1] = []
        out = io.StringIO(newline="")
        csv.writer(out, lineterminator="\n").writerows(rows)
        return out.getvalue().encode("utf-8")
    parts = text.split("\n")             # GIFT, Aiken: blank the whole paragraph around each line
    for n in lines:
        for step in (-1, 1):
            i = n - 1 if step < 0 else n
            while 0 <= i < len(parts) and parts[i].strip():
                parts[i] = ""
                i += step
    return "\n".join(parts).encode("utf-8")


def _parse(filename: str, data: bytes, fmt: str) -> tuple[list, list[tuple[int, str]]]:
    """The format objects of the file and the format's own errors.

    A format reports all its syntax errors at once but then returns nothing; so the items it could
    not read are blanked out and the rest read again, and the field checks run on those too: one
    report lists every problem of the file."""
    try:
        return _read(filename, data, fmt), []
    except BankImportError:
        raise                               # the file as a whole (its encoding) is wrong
    except FormatError as exc:
        errors = list(exc.errors)
    if fmt in ("csv", "xlsx") and any(n <= 1 for n, _ in errors):
        return [], errors                   # a bad header: no row can be read
    try:
        return _read(filename, _blank(filename, data, fmt, {n for n, _ in errors}), fmt), errors
    except (FormatError, IndexError, ValueError):
        return [], errors


def read(filename: str, data: bytes, fmt: str | None, defaults: Defaults) -> Reading:
    """Every item of the file, validated, and every question that cannot be imported with its line and
    reason (syntax, unsupported type, mapping, field checks, refs repeated within the file)."""
    fmt = detect_format(filename, fmt)
    if not data.strip():
        raise BankImportError(filename, [(0, "文件是空的")])
    if fmt == "txt":
        fmt = _sniff_txt(filename, data)
    if fmt in _SELF_REPORTING:
        try:
            objects, errors = _read(filename, data, fmt)
        except FormatError as exc:
            raise BankImportError(filename, exc.errors) from None
    else:
        objects, errors = _parse(filename, data, fmt)
        if fmt in ("csv", "xlsx") and any(n <= 1 for n, _ in errors):
            raise BankImportError(filename, errors)       # a bad header: nothing can be read
    errors = list(errors)
    items: list[tuple[int, ItemData, tuple]] = []
    refs: dict[str, int] = {}
    for obj in objects:
        given = (obj.ref or "").strip()
        if given and given in refs:
            errors.append((obj.line, transfer.field_message("ref", f"编号“{given}”与{at(refs[given])}的题目重复")))
            continue
        if given:
            refs[given] = obj.line
        try:
            raw = from_sheet(obj) if fmt in ("csv", "xlsx") else transfer.from_parsed(obj, defaults, auto_ref=True)
            data_ = validate(raw)
        except MappingError as exc:
            errors += exc.errors
            continue
        except ItemError as exc:
            errors.append((obj.line, transfer.field_message(exc.field, str(exc).split("：", 1)[-1])))
            continue
        if not data_.ref:         # numbered from its wording, so a re-import updates it (any format)
            data_ = dataclasses.replace(data_, ref=made_ref(data_.category, data_.kind, data_.stem))
        ref = (data_.ref or "").strip()
        if ref and ref != given:          # a 编号 made from the name or wording
            if ref in refs:
                errors.append((obj.line, transfer.field_message("ref", f"编号“{ref}”与{at(refs[ref])}的题目重复")))
                continue
            refs[ref] = obj.line
        cleaned = tuple(transfer.field_message(name, note) for name, note in markup_changes(raw))
        items.append((obj.line, data_, tuple(getattr(obj, "warnings", ())) + tuple(raw.get("warnings", ()))
                      + cleaned + warnings_for(data_)))
    return Reading(fmt, items, sorted(set(errors)))


_ALTERNATIVES = re.compile(r"[/／;；]")


def warnings_for(data: ItemData) -> tuple[str, ...]:
    """What an import keeps as written but a trainer should look at."""
    out = []
    if data.kind == "fill":
        for answer in data.answers:
            if _ALTERNATIVES.search(answer):
                out.append(f"填空答案“{answer}”含 / 或 ；，将作为一个答案整体比对；如果是几个可接受的答案，"
                           "请以 | 分隔（GIFT 中写成多个 =答案）")
    if data.kind == "short" and not data.reference:
        out.append("简答题没有参考答案和评分要点：导入为草稿，补全后才能提交审核")
    blind = media.without_alt(data.stem)
    if blind:
        out.append(f"题干中有 {blind} 张图片没有替代文本（alt）：读屏软件无法向视障考生说明图片内容，"
                   "请在题目的“题干”中为 <img> 补写 alt=\"图片说明\"")
    return tuple(out)


def read_file(filename: str, data: bytes, fmt: str | None, defaults: Defaults,
              partial: bool = False) -> Reading:
    """``read``, all or nothing unless ``partial``: raises BankImportError listing every problem of the
    file when any question is refused (or, with ``partial``, when none is left)."""
    reading = read(filename, data, fmt, defaults)
    if reading.refused and not partial:
        raise BankImportError(filename, reading.refused)
    if not reading.items:
        raise BankImportError(filename, reading.refused or [(0, "文件中没有题目")])
    return reading


# ---------------------------------------------------------------- preview and commit

def _same(stored: ItemData, new: ItemData) -> bool:
    return (stored.content() == new.content() and sorted(stored.tags) == sorted(new.tags)
            and stored.category == new.category and stored.title == new.title)


def _stored(session: Session, refs: list[str]) -> dict[str, tuple[Item, ItemData]]:
    out = {}
    if refs:
        for item in session.exec(select(Item).where(Item.ref.in_(refs))):
            out[item.ref] = (item, service.version_data(session, service.latest_version(session, item.id)))
    return out


def _action(stored: dict, data: ItemData) -> str:
    if data.ref not in stored:
        return CREATE
    return UNCHANGED if _same(stored[data.ref][1], data) else UPDATE


def preview(session: Session, filename: str, data: bytes, fmt: str | None, defaults: Defaults,
            partial: bool = False) -> ImportPreview:
    """What importing the file would do; raises BankImportError and changes nothing.

    Without ``partial`` one refused question refuses the file, listing every problem; with it the
    refused questions are listed in the preview and the rest would be imported."""
    reading = read_file(filename, data, fmt, defaults, partial=True)
    stored = _stored(session, [d.ref for _, d, _ in reading.items if d.ref])
    held = media_store.existing(session, [sha for _, d, _ in reading.items for sha in media.refs(d.stem)])
    rows, refused = [], list(reading.refused)
    for line, d, warnings in reading.items:
        brought = {p.sha256 for p in d.pictures}
        missing = [sha for sha in media.refs(d.stem) if sha not in brought and sha not in held]
        if missing:           # a stem naming a picture by address: the bank must hold it already
            refused.append((line, f"题干中的图片 {missing[0][:12]}… 既不在文件中，也不在题库的图片库中，未导入"))
            continue
        action = _action(stored, d)
        changes = _changes(stored[d.ref][1], d) if action == UPDATE else ()
        rows.append(PreviewRow(line, d, action, changes, warnings))
    refused.sort()
    if not rows:
        raise BankImportError(filename, refused)
    result = ImportPreview(filename, reading.fmt, rows, refused, partial)
    if refused and not partial:
        raise PartialPossible(filename, refused, result)
    return result


def _changes(old: ItemData, new: ItemData) -> tuple:
    """Every field an update changes, as the preview lists it (content, and tags and category, which
    ``_same`` also compares)."""
    changes = list(diff.compare(old, new))
    if sorted(old.tags) != sorted(new.tags):
        changes.append(diff.FieldChange("标签", "、".join(old.tags), "、".join(new.tags)))
    if old.category != new.category:
        changes.append(diff.FieldChange("分类", old.category, new.category))
    if old.title != new.title:
        changes.append(diff.FieldChange("标题", old.title, new.title))
    return tuple(changes)


class PartialPossible(BankImportError):
    """Some questions are refused and others could be imported: the trainer may import the rest."""

    def __init__(self, filename: str, errors: list[tuple[int, str]], preview: ImportPreview):
        super().__init__(filename, errors)
        self.preview = preview


def commit(session: Session, preview_: ImportPreview, author_id: int | None) -> ImportReport:
    """Apply a preview in the caller's transaction; actions are decided again against the bank as it is
    now, so a preview that went stale cannot create a duplicate ref."""
    stored = _stored(session, [r.data.ref for r in preview_.rows if r.data.ref])
    counts = {CREATE: 0, UPDATE: 0, UNCHANGED: 0}
    for row in preview_.rows:
        action = _action(stored, row.data)
        if action == CREATE:
            service.add_item(session, row.data, author_id, status=DRAFT)
        elif action == UPDATE:
            service.revise_item(session, stored[row.data.ref][0], row.data, author_id)
        counts[action] += 1
    report = ImportReport(counts[CREATE], counts[UPDATE], counts[UNCHANGED])
    audit.record(session.connection(), "items.import", "item_import", 0, author_id, file=preview_.filename,
                 format=preview_.fmt, created=report.created, updated=report.updated, unchanged=report.unchanged,
                 refused=len(preview_.refused))
    return report


# ---------------------------------------------------------------- export

def current_items(session: Session, level: str | None = None, status: str | None = None,
                  item_ids: list[int] | None = None) -> list[ItemData]:
    """The current version of every matching item, by category then item id (GIFT writes each
    ``$CATEGORY`` once, and a re-import creates items in the same order)."""
    query = service.latest_versions_query(ItemVersion, Item)
    if level:
        query = service.for_level(query, level)
    if status:
        query = query.where(Item.status == status)
    if item_ids is not None:
        query = query.where(Item.id.in_(item_ids or [-1]))
    rows = list(session.exec(query.order_by(Item.id)))
    levels = service.levels_of(session, [v.id for v, _ in rows])
    tags = service.tags_of(session, [i.id for _, i in rows])
    paths = {cid: path for cid, path in session.exec(select(Category.id, Category.path))}
    items = [ItemData(
        levels=tuple(levels[v.id]), area=v.area, kind=v.kind, stem=v.stem, options=tuple(v.options), key=v.key,
        scoring=v.scoring, explanation=v.explanation, knowledge_point=v.knowledge_point,
        difficulty=v.difficulty, tags=tuple(tags[i.id]), source=v.source, ref=i.ref,
        category=paths.get(i.category_id, ""), title=i.title) for v, i in rows]
    return sorted(items, key=lambda d: d.category)   # stable: item id within a category


def _texts(obj) -> list[str]:
    out = []
    for value in vars(obj).values():
        out += [v for v in (value if isinstance(value, tuple) else (value,)) if isinstance(v, str)]
    return out


def _round_trip(fmt: str, data: ItemData, pictures: tuple = ()):
    """The format object for ``data`` (with the stem's ``pictures``, which only Moodle XML and QTI can
    carry), or ValueError when the format cannot give ``data`` back."""
    if media.refs(data.stem) and fmt not in ("moodlexml", "qti"):
        raise ValueError(f"题干含图片，{FORMATS[fmt]} 无法携带图片文件：请用 Moodle XML 或 QTI 导出含图片的题目")
    if fmt == "aiken":
        obj = transfer.to_aiken(data)
        aiken.dump([obj])
        return obj                        # Aiken keeps only stem, options and key: nothing to compare
    if fmt == "gift":
        obj = transfer.to_parsed(data)
        back = [transfer.from_parsed(p, Defaults()) for p in gift.parse(gift.dump([obj]))]
    elif fmt == "moodlexml":
        obj = dataclasses.replace(transfer.to_parsed(data), pictures=pictures)
        parsed, refused = moodle_xml.parse(moodle_xml.dump([obj]).encode("utf-8"))
        if refused:
            raise ValueError(refused[0][1])
        back = [transfer.from_parsed(p, Defaults()) for p in parsed]
    elif fmt == "qti":
        obj = dataclasses.replace(transfer.to_parsed(data), pictures=pictures)
        parsed, refused = qti.read_package(qti.write_package([obj]))
        if refused:
            raise ValueError(refused[0][1])
        back = [transfer.from_parsed(p, Defaults(data.levels, data.area)) for p in parsed]
    else:
        obj = to_sheet(data)
        if fmt == "xlsx" and any(ILLEGAL_CHARACTERS_RE.search(text) for text in _texts(obj)):
            raise ValueError("含 Excel 不允许的控制字符")
        back = [from_sheet(s) for s in sheet.read_csv(sheet.write_csv([obj]))]
    # an item without 编号 comes back numbered as any import numbers it (formats.made_ref), so re-importing
    # the file updates it rather than adding a copy
    if len(back) != 1 or not _same(validate(back[0]), data) or \
            validate(back[0]).ref not in (data.ref, made_ref(data.category, data.kind, data.stem)):
        if len(back) == 1:
            got, want = validate(back[0]).content(), data.content()
            fields = "、".join(transfer.FIELD_LABELS.get(k, k) for k in want if got.get(k) != want[k]) or "编号"
            raise ValueError(f"{FORMATS[fmt]} 无法原样表示这道题的{fields}")
        raise ValueError(f"{FORMATS[fmt]} 无法原样表示这道题")
    return obj


def export(session: Session, fmt: str, level: str | None = None, status: str | None = None,
           item_ids: list[int] | None = None) -> ExportResult:
    """The matching items in ``fmt``; items the format cannot hold are left out and named."""
    if fmt not in FORMATS:
        raise ValueError(f"不支持的格式“{fmt}”")
    objects, left_out, notes = [], [], []
    for data in current_items(session, level, status, item_ids):
        pictures = tuple(media_store.pictures(session, media.refs(data.stem)).values())
        try:
            objects.append(_round_trip(fmt, data, pictures))
        except (ValueError, MappingError, ItemError, FormatError) as exc:
            left_out.append(f"{data.ref or '（无编号）'}：{str(exc).splitlines()[0]}")
            continue
        if fmt == "aiken" and data.title:
            notes.append(f"{data.ref or '（无编号）'}：Aiken 无法保存标题“{data.title}”，导出的题目不含标题")
    if fmt == "gift":
        out = gift.dump(objects).encode("utf-8")
    elif fmt == "aiken":
        out = aiken.dump(objects).encode("utf-8")
    elif fmt == "moodlexml":
        out = moodle_xml.dump(objects).encode("utf-8")
    elif fmt == "qti":
        out = qti.write_package(objects)
    elif fmt == "csv":
        out = sheet.write_csv(objects)
    else:
        out = sheet.write_xlsx(objects)
    return ExportResult(out, len(objects), left_out, notes)
