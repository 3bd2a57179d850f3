"""The bank's console commands: ``callexam items load`` and ``callexam questions import/export``."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from exam import config, standard


def _cfg() -> dict:
    return config.load()


@click.group("items")
def items_group():
    """题库。"""


@items_group.command("load")
@click.argument("files", nargs=-1, type=click.Path(exists=True, dir_okay=False, path_type=Path), required=True)
def items_load(files):
    """从 JSON 文件载入题目：全部校验通过才写入，否则一题不写。"""
    from exam import db
    from exam.db import write_session
    from exam.models_registry import load_all
    from question_bank import loader
    load_all()   # an item's foreign keys name tables of other packages (PITFALLS: the model registry)
    try:
        with write_session(db.engine_for(_cfg()["DATABASE_URL"])) as session:
            report = loader.load(session, list(files))
    except loader.LoadError as exc:
        click.echo(f"载入失败，题库未改动：\n{exc}", err=True)
        sys.exit(1)
    click.echo(f"新增 {report.created} 题，跳过已存在 {report.skipped} 题")


@click.group("questions")
def questions_group():
    """题库导入导出：GIFT、Aiken、Moodle XML、QTI、CSV、XLSX；导入默认全部通过校验才写入（--partial 导入其余题目）。"""


_FORMATS = click.Choice(["gift", "aiken", "moodlexml", "qti", "csv", "xlsx"])
_STATUSES = click.Choice(["draft", "review", "approved", "retired"])


@questions_group.command("import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--format", "fmt", type=_FORMATS, help="文件格式，默认按扩展名识别（.gift；.txt 为 GIFT 或 Aiken；.xml 为 Moodle XML；.zip 为 QTI；.csv；.xlsx）")
@click.option("--level", "levels", multiple=True, type=click.Choice(list(standard.LEVELS)),
              help="默认等级（可多次给出），题目没有等级标签（或表格的等级列）时使用")
@click.option("--area", type=click.Choice(list(standard.AREA_NAMES)), help="默认职业功能，用法同上")
@click.option("--dry-run", is_flag=True, help="只检查并显示将做的改动，不写入")
@click.option("--partial", is_flag=True,
              help="跳过无法导入的题目（逐题列出行号与原因），导入其余题目；不加此项则一题有误全部不导入")
def questions_import(file, fmt, levels, area, dry_run, partial):
    """导入题目：新题为草稿；同编号且内容不同的题目生成新版本。"""
    from sqlmodel import Session

    from exam import db
    from exam.db import write_session
    from exam.models_registry import load_all
    from question_bank import importer
    from question_bank.formats import where
    from question_bank.transfer import Defaults
    load_all()   # an item's foreign keys name tables of other packages (PITFALLS: the model registry)
    engine = db.engine_for(_cfg()["DATABASE_URL"])
    defaults = Defaults(tuple(levels), area)
    try:
        with (Session(engine) if dry_run else write_session(engine)) as session:
            preview = importer.preview(session, str(file), file.read_bytes(), fmt, defaults, partial=partial)
            for line, message in preview.refused:
                click.echo(f"未导入 {where(str(file), line)}：{message}", err=True)
            for row in preview.rows:
                for warning in row.warnings:
                    click.echo(f"提示 {where(str(file), row.line)}：{warning}", err=True)
            click.echo(f"{file}：共 {len(preview.rows)} 题可导入，新增 {preview.count('create')} 题，"
                       f"更新 {preview.count('update')} 题，无变化 {preview.count('unchanged')} 题"
                       + (f"；另有 {len(preview.refused)} 题未导入" if preview.refused else ""))
            if not dry_run:
                importer.commit(session, preview, None)
    except importer.PartialPossible as exc:
        click.echo("导入失败，题库未改动。以下题目无法导入：", err=True)
        for line in exc.lines():
            click.echo(line, err=True)
        click.echo(f"其余 {len(exc.preview.rows)} 题可以导入：加 --partial 导入其余题目", err=True)
        sys.exit(1)
    except importer.BankImportError as exc:
        click.echo("导入失败，题库未改动。请修改以下问题后重试：", err=True)
        for line in exc.lines():
            click.echo(line, err=True)
        sys.exit(1)
    click.echo("试运行，未写入题库" if dry_run else "已导入（新题为草稿，审核通过后才能组卷）")


@questions_group.command("export")
@click.option("--format", "fmt", type=_FORMATS, required=True)
@click.option("--level", type=click.Choice(list(standard.LEVELS)), help="只导出该等级的题目")
@click.option("--status", type=_STATUSES, help="只导出该状态的题目，如 approved")
def questions_export(fmt, level, status):
    """把题目的当前版本写到标准输出，如：callexam questions export --format xlsx > 题库.xlsx"""
    from sqlmodel import Session

    from exam import db
    from question_bank import importer
    with Session(db.engine_for(_cfg()["DATABASE_URL"])) as session:
        result = importer.export(session, fmt, level, status)
    sys.stdout.buffer.write(result.data)      # bytes: an .xlsx must not pass through a text stream
    sys.stdout.buffer.flush()
    click.echo(f"已导出 {result.exported} 题", err=True)
    for reason in result.left_out:
        click.echo(f"未导出 {reason}", err=True)
    for note in result.notes:
        click.echo(f"提示 {note}", err=True)


@questions_group.command("lint")
@click.option("--level", "levels", multiple=True, type=click.Choice(list(standard.LEVELS)),
              help="只检查该等级（可多次给出），默认全部等级")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
@click.option("--file", "files", multiple=True, type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="检查题库 JSON 文件而不是数据库（可多次给出；文件中的题目都按已审核计）")
@click.option("--summary", is_flag=True, help="只显示每个等级的汇总和结论")
@click.argument("paths", nargs=-1, type=click.Path(exists=True, dir_okay=False, path_type=Path))
def questions_lint(levels, fmt, files, summary, paths):
    """按命题规则检查题库：已审核题目有“错误”级问题时以状态 1 退出。

    给出文件（PATHS 或 --file）时检查这些 JSON 题库文件，否则检查数据库。"""
    from question_bank import lint_cli
    files = [*files, *paths]
    sys.exit(lint_cli.run(files, list(levels), fmt, summary, _cfg if not files else None))
