"""``callexam questions lint`` through the installed console script, in a subprocess: on bank files
without a database, and on a fresh database (PITFALLS: a CLI path needs the whole model registry)."""

import json
import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

CALLEXAM = str(Path(sys.executable).with_name("callexam"))

GOOD = [
    {"ref": "L-1", "level": "junior", "area": "service", "type": "single",
     "stem": "客户来电时，坐席员开篇应当先做什么？", "options": ["问候并报工号", "询问姓名", "查看工单", "请客户稍候"],
     "key": [0]},
    {"ref": "L-2", "level": "junior", "area": "service", "type": "fill",
     "stem": "第一位接到客户诉求的员工负责跟踪到底，这称为 ____。", "answers": ["首问负责制", "首问责任制"]},
]
BAD = GOOD + [
    {"ref": "L-3", "level": "junior", "area": "service", "type": "single",
     "stem": "下列关于结束语的说法，错误的是？", "options": ["感谢来电", "询问是否还有其他问题", "以上都对"],
     "key": [2]},
]


def run(args, tmp_path, db_url=None):
    env = {**os.environ, "CALLEXAM_INSTANCE": str(tmp_path / "instance")}
    if db_url:
        env["DATABASE_URL"] = db_url
    return subprocess.run([CALLEXAM, *args], capture_output=True, text=True, env=env, timeout=120)


def bank_file(tmp_path, name, items):
    path = tmp_path / name
    path.write_text(json.dumps(items, ensure_ascii=False), encoding="utf-8")
    return path


def test_files_pass_fail_and_invalid(tmp_path):
    good = run(["questions", "lint", "--file", str(bank_file(tmp_path, "good.json", GOOD))], tmp_path)
    assert good.returncode == 0, good.stdout + good.stderr
    assert "初级：2 题（已审核 2）" in good.stdout and "通过" in good.stdout

    bad = run(["questions", "lint", "--file", str(bank_file(tmp_path, "bad.json", BAD))], tmp_path)
    assert bad.returncode == 1
    assert "[错误] L-3｜“以上都对/都不对”类选项" in bad.stdout and "[错误] L-3｜否定式题干未加强调" in bad.stdout
    assert "未通过：已审核题目有 2 处错误" in bad.stdout

    as_json = run(["questions", "lint", "--format", "json", "--file", str(tmp_path / "bad.json")], tmp_path)
    data = json.loads(as_json.stdout)
    assert as_json.returncode == 1 and data["passed"] is False
    assert {f["rule"] for f in data["findings"] if f["blocking"]} == {"all_none_of_above", "negative_stem"}

    other_level = run(["questions", "lint", "--level", "senior", "--file", str(tmp_path / "bad.json")], tmp_path)
    assert other_level.returncode == 0 and "高级：0 题" in other_level.stdout

    broken = bank_file(tmp_path, "broken.json", [{**GOOD[0], "key": [9]}])
    invalid = run(["questions", "lint", "--file", str(broken)], tmp_path)
    assert invalid.returncode == 2 and "broken.json 第 1 题，字段 key" in invalid.stderr


def test_python_module_entry_needs_no_configuration(tmp_path):
    path = bank_file(tmp_path, "bad.json", BAD)
    result = subprocess.run([sys.executable, "-m", "question_bank.lint_cli", str(path), "--summary"],
                            capture_output=True, text=True, cwd=tmp_path, timeout=120)
    assert result.returncode == 1 and "初级：3 题" in result.stdout and "[错误]" not in result.stdout


def test_database_only_approved_items_fail_the_command(tmp_path):
    url = f"sqlite:///{tmp_path / 'fresh.db'}"
    assert run(["db", "upgrade"], tmp_path, url).returncode == 0
    loaded = run(["items", "load", str(bank_file(tmp_path, "bad.json", BAD))], tmp_path, url)
    assert loaded.returncode == 0, loaded.stderr
    drafts = run(["questions", "lint"], tmp_path, url)
    assert drafts.returncode == 0 and "[错误] L-3" in drafts.stdout and "已审核 0" in drafts.stdout
    with sqlite3.connect(tmp_path / "fresh.db") as conn:
        conn.execute("UPDATE item SET status = 'approved'")
    approved = run(["questions", "lint", "--level", "junior"], tmp_path, url)
    assert approved.returncode == 1 and "未通过：已审核题目有 2 处错误" in approved.stdout


@pytest.mark.parametrize("args", [["--level", "expert"], ["--format", "xml"]])
def test_bad_options_are_refused(tmp_path, args):
    result = run(["questions", "lint", *args], tmp_path)
    assert result.returncode == 2 and "Invalid value" in result.stderr
