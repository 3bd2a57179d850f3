"""The ``callexam`` command: migrate, load data, create users, serve, run the scheduler."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

import click

from exam import config, standard


def _cfg() -> dict:
    return config.load()


@click.group()
def main():
    """callexam：呼叫服务员职业技能等级考试系统。"""


@main.group("db")
def db_group():
    """数据库迁移。"""


@db_group.command("upgrade")
@click.option("--revision", default="head")
def db_upgrade(revision):
    """把数据库结构升级到最新（或指定）版本。"""
    from exam import migrate
    url = _cfg()["DATABASE_URL"]
    migrate.upgrade(url, revision)
    click.echo(f"数据库已升级至 {migrate.current(url)}")


@main.group("demo")
def demo_group():
    """演示数据。"""


@demo_group.command("load")
def demo_load():
    """载入演示账号、演示题库和每个等级的演示场次（可重复执行）。"""
    from exam import db, demo
    engine = db.engine_for(_cfg()["DATABASE_URL"])
    accounts = demo.load(engine)
    click.echo("演示账号（用户名 / 密码 / 角色）：")
    shown = [a for a in accounts if a[2] != "candidate"] + [a for a in accounts if a[2] == "candidate"][:3]
    for username, password, role in shown:
        click.echo(f"  {username:10s} {password}  {role}")
    click.echo(f"  另有考生 cand04 至 cand{len([a for a in accounts if a[2] == 'candidate']):02d}，密码相同")


@main.group("items")
def items_group():
    """题库。"""


@items_group.command("load")
@click.argument("files", nargs=-1, type=click.Path(exists=True, dir_okay=False, path_type=Path), required=True)
def items_load(files):
    """从 JSON 文件载入题目：全部校验通过才写入，否则一题不写。"""
    from exam import db
    from exam.db import write_session
    from question_bank import loader
    try:
        with write_session(db.engine_for(_cfg()["DATABASE_URL"])) as session:
            report = loader.load(session, list(files))
    except loader.LoadError as exc:
        click.echo(f"载入失败，题库未改动：\n{exc}", err=True)
        sys.exit(1)
    click.echo(f"新增 {report.created} 题，跳过已存在 {report.skipped} 题")


@main.group("questions")
def questions_group():
    """题库导入导出：GIFT、Aiken、CSV、XLSX；导入全部通过校验才写入。"""


_FORMATS = click.Choice(["gift", "aiken", "csv", "xlsx"])
_STATUSES = click.Choice(["draft", "review", "approved", "retired"])


@questions_group.command("import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--format", "fmt", type=_FORMATS, help="文件格式，默认按扩展名识别（.gift/.txt 为 GIFT）")
@click.option("--level", "levels", multiple=True, type=click.Choice(list(standard.LEVELS)),
              help="默认等级（可多次给出），GIFT/Aiken 题目没有等级标签时使用")
@click.option("--area", type=click.Choice(list(standard.AREA_NAMES)), help="默认职业功能，用法同上")
@click.option("--dry-run", is_flag=True, help="只检查并显示将做的改动，不写入")
def questions_import(file, fmt, levels, area, dry_run):
    """导入题目：新题为草稿；同编号且内容不同的题目生成新版本。"""
    from sqlmodel import Session

    from exam import db
    from exam.db import write_session
    from question_bank import importer
    from question_bank.transfer import Defaults
    engine = db.engine_for(_cfg()["DATABASE_URL"])
    defaults = Defaults(tuple(levels), area)
    try:
        with (Session(engine) if dry_run else write_session(engine)) as session:
            preview = importer.preview(session, str(file), file.read_bytes(), fmt, defaults)
            click.echo(f"{file}：共 {len(preview.rows)} 题，新增 {preview.count('create')} 题，"
                       f"更新 {preview.count('update')} 题，无变化 {preview.count('unchanged')} 题")
            if not dry_run:
                importer.commit(session, preview, None)
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


@main.group("users")
def users_group():
    """账号。"""


@users_group.command("create")
@click.argument("username")
@click.option("--role", type=click.Choice(["admin", "trainer", "examiner", "candidate", "verifier"]), required=True)
@click.option("--name", "display_name", default="")
@click.password_option("--password", prompt="密码", confirmation_prompt="再次输入密码")
def users_create(username, role, display_name, password):
    """创建账号。"""
    from exam import db
    from exam.accounts import service
    from exam.db import write_session
    try:
        with write_session(db.engine_for(_cfg()["DATABASE_URL"])) as session:
            service.create_user(session, username, password, role, display_name)
    except service.AccountError as exc:
        click.echo(str(exc), err=True)
        sys.exit(1)
    click.echo(f"已创建 {username}（{role}）")


@main.command("scheduler")
def scheduler_cmd():
    """只运行定时任务（到时自动交卷等）；横向扩展时全局只运行一个。"""
    import logging

    from exam import scheduler
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(message)s")
    logging.getLogger("apscheduler").setLevel(logging.WARNING)  # not a line per run
    cfg = _cfg()
    click.echo(f"定时任务已启动（每 {cfg['SCHEDULER_INTERVAL_SECONDS']} 秒检查到时未交卷的考试）")
    try:
        scheduler.run_forever(cfg)
    except KeyboardInterrupt:
        pass


@main.command("serve")
@click.option("--host", default=lambda: os.environ.get("HOST", "127.0.0.1"))
@click.option("--port", type=int, default=lambda: int(os.environ.get("PORT", 5000)))
@click.option("--workers", type=int, default=lambda: int(os.environ.get("WEB_CONCURRENCY", 0)) or None)
@click.option("--threads", type=int, default=lambda: int(os.environ.get("WEB_THREADS", 1)))
@click.option("--scheduler/--no-scheduler", default=True,
              help="同时启动定时任务进程（横向扩展时只在一处启动）")
def serve(host, port, workers, threads, scheduler):
    """用 gunicorn 提供服务（生产级 WSGI 服务器）。"""
    from exam.server import run
    cfg = _cfg()  # creates the instance folder and secret key once, before workers fork
    child = None
    if scheduler:
        child = subprocess.Popen([sys.executable, "-m", "exam.cli", "scheduler"])
    try:
        click.echo(f"callexam 正在 http://{host}:{port} 提供服务（数据库：{_redact(cfg['DATABASE_URL'])}）")
        run(host, port, workers or (2 * (os.cpu_count() or 1)), threads)
    finally:
        if child is not None:
            child.send_signal(signal.SIGTERM)
            child.wait(timeout=10)


@main.group("audit")
def audit_group():
    """审计记录。"""


@audit_group.command("verify")
def audit_verify():
    """逐条核对审计记录的哈希链：任何一条被修改、删除或插入都会被发现（通过时退出码 0，否则 1）。"""
    from exam import db
    from exam.audit import chain
    verdict = chain.verify(db.engine_for(_cfg()["DATABASE_URL"]))
    if verdict.ok:
        click.echo(f"审计记录哈希链完整：共 {verdict.entries} 条")
        return
    click.echo(f"审计记录哈希链断裂：{verdict.problem}", err=True)
    sys.exit(1)


@main.command("station")
@click.option("--server", required=True, help="考试系统服务器地址，如 http://192.168.1.10:5000")
@click.option("--code", required=True, help="考评员在考试机页面发放的考试机编码，如 ABCD-EFGH")
@click.option("--state-dir", type=click.Path(file_okay=False, path_type=Path), default=None,
              help="保存本机密钥的目录，默认 ~/.callexam-station")
def station_cmd(server, code, state_dir):
    """考试机监控程序：在考生电脑的桌面会话中运行，考试期间统计击键并上传（不记录按了哪些键）。"""
    from typing_test import station_agent
    sys.exit(station_agent.main(server, code, state_dir))


def _redact(url: str) -> str:
    from sqlalchemy.engine import make_url
    return make_url(url).render_as_string(hide_password=True)


if __name__ == "__main__":
    main()
