"""``callexam station``: the exam-station agent on a candidate's PC; ``callexam passages refresh``: an
existing installation gets today's stock passages and retires those too short for the time limit."""

from __future__ import annotations

import sys
from pathlib import Path

import click


@click.command("station")
@click.option("--server", required=True, help="考试系统服务器地址，如 http://192.168.1.10:5000")
@click.option("--code", required=True, help="考评员在考试机页面发放的考试机编码，如 ABCD-EFGH")
@click.option("--state-dir", type=click.Path(file_okay=False, path_type=Path), default=None,
              help="保存本机密钥的目录，默认 ~/.callexam-station")
def station_cmd(server, code, state_dir):
    """考试机监控程序：在考生电脑的桌面会话中运行，考试期间统计击键并上传（不记录按了哪些键）。"""
    from typing_test import station_agent
    sys.exit(station_agent.main(server, code, state_dir))


@click.group("passages")
def passages_group():
    """打字文章。"""


@passages_group.command("refresh")
def passages_refresh():
    """载入新版库存打字文章，并停用篇幅不足以覆盖限时的文章（可重复执行；已有的打字成绩不受影响）。"""
    from exam import config, db
    from exam.db import write_session
    from exam.models_registry import load_all
    from typing_test import passages
    load_all()
    try:
        with write_session(db.engine_for(config.load()["DATABASE_URL"])) as session:
            added, retired = passages.refresh_stock(session)
            retired = [(p.ref or f"#{p.id}", p.title) for p in retired]
    except passages.PassageError as exc:
        raise click.ClickException("库存文章有误：" + "；".join(exc.messages))
    click.echo(f"新增库存文章 {added} 篇；停用过短的文章 {len(retired)} 篇")
    for ref, title in retired:
        click.echo(f"  已停用 {ref} {title}")
