"""题库导入导出格式（纯函数，无 Flask/数据库依赖）。"""

import hashlib


class FormatError(ValueError):
    """An import file is wrong; ``errors`` lists (line, what) and the message has one line each.

    Every error of the file is collected before raising, so a trainer fixes them all in one go, and
    nothing of the file is imported.
    """

    def __init__(self, filename: str, errors: list[tuple[int, str]]):
        self.filename = filename
        self.errors = sorted(set(errors))
        super().__init__("\n".join(f"{filename} 第 {n} 行：{m}" for n, m in self.errors))


def made_ref(category: str, kind: str, stem: str) -> str:
    """The 编号 an import gives a question its file names neither by id nor by name: a digest of its
    category, type and wording, so importing the same file again updates it instead of adding a copy.
    Exports that must name every question (Moodle XML, QTI) use it for items without 编号."""
    digest = hashlib.sha1(f"{category}\n{kind}\n{stem}".encode("utf-8")).hexdigest()[:10]
    return f"IMP-{digest}"
