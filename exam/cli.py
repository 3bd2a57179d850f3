"""The ``callexam`` command: migrate, load data, create users, serve, run the scheduler."""

from __future__ import annotations

import os
import signal
import subprocess
import sys

import click

from exam import config


def _cfg() -> dict:
    return config.load()


@click.group()
def main():
    """callexam：呼叫服务员职业技能等级考试系统。"""


def _add_domain_commands() -> None:
    """Each package's own command groups (``init_app``'s ``cli_commands``), e.g. ``questions``,
    ``keys``, ``certificates``, ``station``; this module keeps only the core's commands."""
    from exam import domains
    for command in domains.cli_commands():
        main.add_command(command)


@main.group("db")
def db_group():
    """数据库迁移。"""


@db_group.command("upgrade")
@click.option("--revision", default="head")
def db_upgrade(revision):
    """把数据库结构升级到最新（或指定）版本。"""
    from exam import migrate
    url = _cfg()["DATABASE_URL"]
    done = migrate.upgrade(url, revision)
    click.echo(f"数据库已升级至 {migrate.current(url)}")
    for line in done:  # what the packages' data steps did (demo bank, stock scenarios)
        click.echo(line)


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


@main.group("users")
def users_group():
    """账号。"""


@users_group.command("create")
@click.argument("username")
@click.option("--role", type=click.Choice(["admin", "trainer", "examiner", "chief", "candidate", "verifier"]),
              required=True, help="chief 为考务主管（分配考评员、查看所有场次、审批证书变更）")
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


def _redact(url: str) -> str:
    from sqlalchemy.engine import make_url
    return make_url(url).render_as_string(hide_password=True)


_add_domain_commands()

if __name__ == "__main__":
    main()
