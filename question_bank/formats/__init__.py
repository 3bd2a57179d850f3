"""题库导入导出格式（纯函数，无 Flask/数据库依赖）。"""


class FormatError(ValueError):
    """An import file is wrong; ``errors`` lists (line, what) and the message has one line each.

    Every error of the file is collected before raising, so a trainer fixes them all in one go, and
    nothing of the file is imported.
    """

    def __init__(self, filename: str, errors: list[tuple[int, str]]):
        self.filename = filename
        self.errors = sorted(set(errors))
        super().__init__("\n".join(f"{filename} 第 {n} 行：{m}" for n, m in self.errors))
