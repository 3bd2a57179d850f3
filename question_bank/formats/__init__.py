"""题库导入导出格式（纯函数，无 Flask/数据库依赖）。"""

import hashlib


class Place(int):
    """Where a question is in a file without useful line numbers: the n-th item of a QTI package, read
    from its own file ``href`` inside the zip. It sorts, compares and hashes as its number, so errors and
    preview rows keep their order and every ``(line, message)`` list takes it as a line; ``where`` names
    the file, so a message says ``exp.zip 中 items/x.xml（第 643 题）`` rather than a line 643 that is not one."""

    href: str

    def __new__(cls, n: int, href: str):
        place = super().__new__(cls, n)
        place.href = href
        return place

    def __reduce__(self):
        return (Place, (int(self), self.href))


def at(line: int) -> str:
    """The place of a question within its file: ``第 3 行``, or ``items/x.xml（第 643 题）`` in a package."""
    href = getattr(line, "href", None)
    if href is not None:
        return f"{href}（第 {int(line)} 题）" if href else f"第 {int(line)} 题"
    return f"第 {line} 行"


def where(filename: str, line: int) -> str:
    """How a message names the place of a question: ``a.gift 第 3 行``, ``exp.zip 中 items/x.xml（第 643 题）``,
    or the file alone (line 0: the whole file)."""
    if not line:
        return filename
    return f"{filename} 中 {at(line)}" if getattr(line, "href", None) else f"{filename} {at(line)}"


def place(line: int) -> str:
    """The 行 column of a page's table: the line, a package item's file and position, or — for the whole file."""
    if not line:
        return "—"
    return at(line) if isinstance(line, Place) else str(line)


class FormatError(ValueError):
    """An import file is wrong; ``errors`` lists (line, what) and the message has one line each.

    Every error of the file is collected before raising, so a trainer fixes them all in one go, and
    nothing of the file is imported.
    """

    def __init__(self, filename: str, errors: list[tuple[int, str]]):
        self.filename = filename
        self.errors = sorted(set(errors))
        super().__init__("\n".join(f"{where(filename, n)}：{m}" for n, m in self.errors))


def made_ref(category: str, kind: str, stem: str) -> str:
    """The 编号 an import gives a question its file names neither by id nor by name: a digest of its
    category, type and wording, so importing the same file again updates it instead of adding a copy.
    Exports that must name every question (Moodle XML, QTI) use it for items without 编号."""
    digest = hashlib.sha1(f"{category}\n{kind}\n{stem}".encode("utf-8")).hexdigest()[:10]
    return f"IMP-{digest}"
