"""Initial passwords of a roster import, kept just long enough for the examiner to print them.

The passwords exist in plain text only here: in a file of the instance folder (0600, under a random
token, through ``question_bank.pending_uploads``) that the examiner who ran the import can see and
download for an hour, and that goes the moment they say they have saved it. Nothing else keeps
them — not the database (it holds only hashes), not the audit trail, not the browser's cookie. A
candidate who loses theirs gets a new one from the examiner, never the old one back.
"""

from __future__ import annotations

import json


from exam import tabular
from exam.sessions.roster.enrolment import Credential
from question_bank import pending_uploads

MAX_AGE_SECONDS = 3600
HEADER = ("姓名", "准考证号", "用户名", "初始密码")


def save(instance_path: str, credentials: list[Credential]) -> str:
    data = json.dumps([[c.name, c.ticket_number, c.username, c.password] for c in credentials], ensure_ascii=False)
    return pending_uploads.save(instance_path, data.encode("utf-8"))


def load(instance_path: str, token: str) -> list[Credential] | None:
    data = pending_uploads.load(instance_path, token, max_age=MAX_AGE_SECONDS)
    if data is None:
        return None
    return [Credential(name=n, ticket_number=t, username=u, password=p) for n, t, u, p in json.loads(data)]


def discard(instance_path: str, token: str) -> None:
    pending_uploads.discard(instance_path, token)


def xlsx(session_name: str, credentials: list[Credential]) -> bytes:
    rows = [(c.name, c.ticket_number, c.username, c.password) for c in credentials]
    note = [(f"场次：{session_name}",),
            ("考生用准考证号（或用户名）和初始密码登录。本表只在导入后提供一次，请妥善保管，分发后销毁。",),
            ("遗失密码的考生请联系考评员重新设置，系统不保存明文密码。",)]
    # every cell is text (exam.tabular), so ticket numbers stay as printed, not 2.02E+11
    return tabular.xlsx_bytes([tabular.Sheet("初始密码", HEADER, rows, (14, 18, 18, 16), text_columns=(0, 1, 2, 3)),
                               tabular.Sheet("说明", ("说明",), note, (100,), wrap=True)])
