"""The text and JSON faces of the item checker, shared by ``callexam questions lint`` and
``python -m question_bank.lint_cli FILE…`` (which needs no configuration and no database).

Exit status: 0 when no approved item breaks an error rule, 1 when one does, 2 when a file is invalid.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Callable

import click

from question_bank import lint, lint_service, loader


def run(files: list[Path], levels: list[str], fmt: str = "text", summary: bool = False,
        config: Callable[[], dict] | None = None) -> int:
    try:
        if files:
            report = lint_service.check_files(files, levels or None)
        else:
            report = _check_database(config(), levels or None)
    except loader.LoadError as exc:
        click.echo(f"题库文件有误，未做检查：\n{exc}", err=True)
        return 2
    if fmt == "json":
        click.echo(json.dumps(report.as_json(), ensure_ascii=False, indent=2))
    else:
        click.echo(lint.render_text(report, summary_only=summary))
    return 1 if report.blocking else 0


def _check_database(cfg: dict, levels) -> lint.Report:
    from sqlmodel import Session

    from exam import db
    from exam.models_registry import load_all
    load_all()
    with Session(db.engine_for(cfg["DATABASE_URL"])) as session:
        return lint_service.check_db(session, levels)


@click.command()
@click.argument("files", nargs=-1, required=True, type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--level", "levels", multiple=True)
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text")
@click.option("--summary", is_flag=True)
def main(files, levels, fmt, summary):
    """检查题库 JSON 文件（无需数据库）。"""
    sys.exit(run(list(files), list(levels), fmt, summary))


if __name__ == "__main__":
    main()
