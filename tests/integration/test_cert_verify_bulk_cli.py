"""``callexam certificates verify-bulk`` as HR's IT runs it: the installed console script in a
subprocess. On a fresh database made by ``callexam db upgrade`` with no certificate yet it says it
cannot verify (exit 4), never "未找到"; once the register holds certificates, a list with a good row,
a number typed without dashes, a revoked and an expired certificate, an unknown number and a
malformed row gets every line answered in the file's order (the malformed one on its own line),
scores as number cells, exit 1; an all-valid list exits 0, found-but-revoked 3 (both databases); a
register that does not answer leaves rows "未核对" (exit 4); an unreadable file checks nothing."""

from __future__ import annotations

import csv
import datetime as dt
import io
import os
import subprocess
import sys
from pathlib import Path

import pytest
from openpyxl import Workbook, load_workbook
from sqlalchemy import text

from certificates.models import Certificate
from certificates.view import CertificateView
from exam import db, standard
from exam.db import write_session
from exam.timeutil import utcnow

TODAY = dt.date.today()
CALLEXAM = Path(sys.executable).with_name("callexam")


def view(number, name, expires=None) -> CertificateView:
    return CertificateView(number=number, holder_name=name, id_masked="110***********123X", level_code="junior",
                           level_name=standard.level("junior").name, theory_score="86", practical_score="72.5",
                           typing_cpm="61", issued_on=TODAY - dt.timedelta(days=10),
                           expires_on=expires or TODAY + dt.timedelta(days=1000), issuer="callexam 演示考点")


REGISTER = [(view("HJ-2026-C-000001", "张三"), False), (view("HJ-2026-C-000002", "李四"), True),
            (view("HJ-2023-C-000003", "王五", TODAY - dt.timedelta(days=1)), False)]


def fill_register(url: str, candidate: str) -> None:
    engine = db.throwaway_engine(url)
    with engine.connect() as conn:
        candidate_id = conn.execute(text("SELECT id FROM user_account WHERE username = :u"), {"u": candidate}).scalar()
    with write_session(engine) as session:
        for revision, (v, revoked) in enumerate(REGISTER):   # one holder's three revisions keep the test short
            session.add(Certificate(number=v.number, candidate_id=candidate_id, level=v.level_code, revision=revision,
                                    holder_name=v.holder_name, id_masked=v.id_masked, theory_score=v.theory_score,
                                    practical_score=v.practical_score, typing_cpm=v.typing_cpm,
                                    issued_on=v.issued_on, expires_on=v.expires_on, issuer=v.issuer,
                                    revoked_at=utcnow() if revoked else None,
                                    revoke_reason="测试撤销" if revoked else ""))
    engine.dispose()


def callexam(instance: Path, url: str, *args: str, stdin: str | None = None):
    assert CALLEXAM.exists(), "callexam 控制台脚本未安装（make venv）"
    env = {**os.environ, "CALLEXAM_INSTANCE": str(instance), "DATABASE_URL": url}
    return subprocess.run([str(CALLEXAM), *args], capture_output=True, text=True, env=env, timeout=120, input=stdin)


def xlsx(rows) -> bytes:
    book = Workbook()
    for row in rows:
        book.active.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def verdict(result) -> str:
    [line] = [l for l in result.stdout.splitlines() if l.startswith("结论：")]
    return line


def results(path: Path) -> list[list]:
    return [list(r) for r in load_workbook(path).worksheets[0].iter_rows(values_only=True)]


def test_on_a_fresh_database_it_cannot_verify_until_the_register_holds_certificates(tmp_path):
    instance, url = tmp_path / "instance", f"sqlite:///{tmp_path / 'fresh.db'}"
    listing = tmp_path / "名单.xlsx"
    listing.write_bytes(xlsx([["证书编号", "姓名"], ["HJ-2026-C-000001", "张三"], ["hj2026c000002", "李四"],
                              ["HJ-2023-C-000003", "王五"], ["HJ-2026-C-000009", "赵六"], ["HJ-2026-X-1", ""],
                              ["ＨＪ－２０２６－Ｃ－０００００１", "张三"]]))
    # no database at all: nothing to ask, so "cannot verify", and no results file pretending otherwise
    none = callexam(instance, url, "certificates", "verify-bulk", str(listing))
    assert none.returncode == 4, none.stdout + none.stderr
    assert verdict(none).startswith("结论：无法核验") and "Traceback" not in none.stderr
    assert not (tmp_path / "名单-核验结果.xlsx").exists()

    assert callexam(instance, url, "db", "upgrade").returncode == 0
    made = callexam(instance, url, "users", "create", "cand1", "--role", "candidate", "--password", "pw-123456789",
                    stdin="")
    assert made.returncode == 0, made.stdout + made.stderr
    empty = callexam(instance, url, "certificates", "verify-bulk", str(listing))
    assert empty.returncode == 4 and verdict(empty).startswith("结论：无法核验"), empty.stdout + empty.stderr

    fill_register(url, "cand1")
    result = callexam(instance, url, "certificates", "verify-bulk", str(listing))
    assert result.returncode == 1, result.stdout + result.stderr
    assert verdict(result) == "结论：有未找到或格式有误的行，请查看结果文件"
    assert "第 6 行 HJ-2026-X-1 ：格式有误" in result.stdout and "第 5 行 HJ-2026-C-000009 赵六：未找到" in result.stdout
    assert "共 6 行：有效 2，已过期 1，已撤销 1，未找到 1，格式有误 1" in result.stdout
    rows = results(tmp_path / "名单-核验结果.xlsx")
    assert [(r[0], r[1], r[3]) for r in rows[1:]] == [
        (2, "HJ-2026-C-000001", "有效"), (3, "HJ-2026-C-000002", "已撤销"), (4, "HJ-2023-C-000003", "已过期"),
        (5, "HJ-2026-C-000009", "未找到"), (6, "HJ-2026-X-1", "格式有误"), (7, "HJ-2026-C-000001", "有效")]
    assert rows[1][6:9] == [86, 72.5, 61]
    assert "证书编号“HJ-2026-X-1”格式不对" in rows[5][12] and "“姓名”为空" in rows[5][12]


@pytest.mark.parametrize("listed, code, said", [
    ([("HJ-2026-C-000001", "张三")], 0, "结论：全部有效"),
    ([("HJ-2026-C-000001", "张 三"), ("HJ-2026-C-000002", "李四")], 3, "结论：全部找到，但有已过期或已撤销的证书"),
])
def test_exit_codes_on_both_databases(db_url, tmp_path, listed, code, said):
    fill_register(db_url, "cand2")
    listing = tmp_path / "list.csv"
    out = io.StringIO()
    csv.writer(out).writerows([("姓名", "证书编号"), *[(name, number) for number, name in listed]])
    listing.write_text(out.getvalue(), encoding="utf-8-sig")
    result = callexam(tmp_path / "instance", db_url, "certificates", "verify-bulk", str(listing),
                      "-o", str(tmp_path / "out.xlsx"))
    assert result.returncode == code, result.stdout + result.stderr
    assert verdict(result) == said
    assert [r[3] for r in results(tmp_path / "out.xlsx")[1:]] == ["有效", "已撤销"][:len(listed)]


def test_a_register_that_does_not_answer_leaves_rows_unchecked(tmp_path):
    listing = tmp_path / "list.csv"
    listing.write_text("证书编号,姓名\nHJ-2026-C-000001,张三\nbad,李四\n", encoding="utf-8")
    result = callexam(tmp_path / "instance", f"sqlite:///{tmp_path / 'none.db'}", "certificates", "verify-bulk",
                      str(listing), "--register", "http://127.0.0.1:9")
    # the malformed row is a definite failure (exit 1); the row the register did not answer is 未核对
    assert result.returncode == 1, result.stdout + result.stderr
    rows = results(tmp_path / "list-核验结果.xlsx")
    assert [(r[0], r[3]) for r in rows[1:]] == [(2, "未核对"), (3, "格式有误")]
    assert "登记库未回答" in rows[1][12] and "Traceback" not in result.stderr
    only_good = tmp_path / "good.csv"
    only_good.write_text("证书编号,姓名\nHJ-2026-C-000001,张三\n", encoding="utf-8")
    again = callexam(tmp_path / "instance", f"sqlite:///{tmp_path / 'none.db'}", "certificates", "verify-bulk",
                     str(only_good), "--register", "http://127.0.0.1:9")
    assert again.returncode == 4 and verdict(again) == "结论：有未核对的行（登记库未回答），请稍后重试"


def test_an_unreadable_file_checks_nothing(tmp_path):
    listing = tmp_path / "名单.xlsx"
    listing.write_bytes(b"\x00\x01 not a workbook")
    result = callexam(tmp_path / "instance", f"sqlite:///{tmp_path / 'none.db'}", "certificates", "verify-bulk",
                      str(listing))
    assert result.returncode == 1 and "无法作为 Excel" in result.stdout, result.stdout + result.stderr
    assert verdict(result).startswith("结论：文件无法读取为核验名单") and "Traceback" not in result.stderr
    assert not (tmp_path / "名单-核验结果.xlsx").exists()
