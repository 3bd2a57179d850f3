"""``callexam practical try``: a trainer's trial of a scenario from the command line (the scenario page
does the same in the browser). The scenario comes from the bank (by ref or id) or, when the bank does
not hold it, from the stock content shipped in ``practical/content``; the phrase lists are those in
force in the database."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import click
from sqlalchemy.exc import SQLAlchemyError
from sqlmodel import Session, select

from exam import db as exam_db
from exam.models_registry import load_all
from exam.service_phrases import default_lists


def _scenario(session: Session | None, ref: str) -> tuple[str, str, dict] | None:
    from practical import scenarios
    from practical.models import Scenario
    if session is not None:
        row = session.exec(select(Scenario).where(Scenario.ref == ref)).first()
        if row is None and ref.isdigit():
            row = session.get(Scenario, int(ref))
        if row is not None:
            return row.kind, row.level, row.spec
    for _, raw in scenarios.stock_entries():
        if raw.get("ref") == ref:
            return raw["kind"], raw["level"], raw["spec"]
    return None


def try_scenario(database_url: str, ref: str, replies_file: Path) -> int:
    load_all()  # every table known before any query (PITFALLS: the model registry)
    from practical import phrases_service, trial
    try:
        text = replies_file.read_text(encoding="utf-8")
    except FileNotFoundError:
        click.echo(f"{replies_file}：文件不存在", err=True)
        return 2
    except UnicodeDecodeError:
        click.echo(f"{replies_file}：不是 UTF-8 编码的文本文件", err=True)
        return 2
    engine = exam_db.engine_for(database_url)
    try:
        with Session(engine) as session:
            found, lists = _scenario(session, ref), phrases_service.lists(session)
    except SQLAlchemyError:  # no database yet: the stock scenario and the standard's lists
        found, lists = _scenario(None, ref), default_lists()
    if found is None:
        click.echo(f"找不到编号或 id 为 {ref} 的场景", err=True)
        return 2
    try:
        raw = trial.parse_replies(text)          # the file is named once, in front of every message below
        result = trial.run(*found, raw, lists)
    except trial.TrialError as exc:
        click.echo(f"{replies_file}：{exc}", err=True)
        return 2
    click.echo(json.dumps({"scenario": ref, **result}, ensure_ascii=False, indent=2))
    return 0


@click.group("practical")
def practical_group():
    """实操场景。"""


@practical_group.group("scenarios")
def scenarios_group():
    """实操场景库。"""


@scenarios_group.command("refresh")
def scenarios_refresh():
    """把已载入的库存场景更新为本版本发布的内容（生成新版本；已抽取的试卷不变；培训师修改过的场景跳过并列出）。
    每次 callexam db upgrade 也会执行；可重复执行。"""
    from exam import config
    from exam.db import write_session
    from practical import scenarios, stock_sync
    load_all()
    try:
        with write_session(exam_db.engine_for(config.load()["DATABASE_URL"])) as session:
            report = stock_sync.refresh(session)
    except scenarios.ScenarioError as exc:
        raise click.ClickException("库存场景有误：" + "；".join(exc.problems))
    for line in report.lines():
        click.echo(line)


@practical_group.command("try")
@click.argument("scenario_ref")
@click.option("--replies", "replies_file", type=click.Path(dir_okay=False, path_type=Path), required=True,
              help="JSON 文件：回复列表 [\"…\"]、{\"replies\": [...]}，或工单等题型的各字段")
def practical_try(scenario_ref, replies_file):
    """试做一个场景：输出每项评分标准由谁判定、机器的结论或建议及其依据（JSON）。SCENARIO_REF 为场景编号或 id。"""
    from exam import config
    sys.exit(try_scenario(config.load()["DATABASE_URL"], scenario_ref, replies_file))
