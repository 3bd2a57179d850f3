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


@main.group("keys")
def keys_group():
    """证书签名密钥：二维码/电子徽章的 Ed25519 密钥与 PDF 签名的 X.509 证书，存放在实例目录 keys/ 下（仅属主可读）。"""


def _audit_keys(cfg: dict, action: str, **detail) -> None:
    """Key changes go into the audit chain when the database is ready; keys may be made before it."""
    from sqlalchemy.exc import SQLAlchemyError

    from exam import db
    from exam.audit import service as audit
    try:
        with db.write_connection(db.engine_for(cfg["DATABASE_URL"])) as conn:
            audit.record(conn, action, "signing_key", 0, None, **detail)
    except SQLAlchemyError:
        click.echo("提示：数据库尚未升级（callexam db upgrade），本次密钥操作未写入审计记录", err=True)


@keys_group.command("init")
@click.option("--organisation", default="callexam 演示考点", show_default=True,
              help="自建根证书和签名证书上的机构名称（只在首次生成时使用）")
def keys_init(organisation):
    """生成签名密钥：二维码签名密钥（Ed25519），以及单机部署用的自签发根证书和 PDF 签名证书（ECDSA P-256）。
    已有的密钥不会被覆盖，可重复执行。"""
    from certificates import jws_keys, keys_folder, pki
    cfg = _cfg()
    folder = keys_folder(cfg)
    had_jws = (folder / jws_keys.SUBFOLDER / jws_keys.MANIFEST).exists()
    had_pdf = (folder / pki.SIGNER_KEY).exists()
    try:
        kid = jws_keys.init(folder)
        pki.init(folder, organisation)
    except (ValueError, OSError) as exc:
        click.echo(f"生成密钥失败：{exc}", err=True)
        sys.exit(1)
    click.echo(f"二维码签名密钥：{'已存在' if had_jws else '已生成'}，当前密钥编号 {kid}")
    click.echo(f"PDF 签名证书：{'已存在，未改动' if had_pdf else '已生成自签发根证书和签名证书'}")
    click.echo(f"密钥目录：{folder}（仅属主可读写，请妥善备份，切勿提交到代码库）")
    if not (had_jws and had_pdf):
        _audit_keys(cfg, "keys.init", kid=kid, pdf_signer="existing" if had_pdf else "self-signed CA")


@keys_group.command("import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--password", default=None, prompt="PKCS#12 密码", prompt_required=False, hide_input=True,
              envvar="CALLEXAM_P12_PASSWORD",
              help="PKCS#12 文件的密码；只写 --password 则提示输入（不回显），也可用环境变量 CALLEXAM_P12_PASSWORD")
def keys_import(file, password):
    """导入机构的 PDF 签名证书（PKCS#12：.p12/.pfx，含私钥、证书和证书链）；旧根证书保留，已签发的证书仍可核验。"""
    from certificates import keys_folder, pki
    cfg = _cfg()
    folder = keys_folder(cfg)
    try:
        pki.import_pkcs12(folder, file.read_bytes(), password.encode("utf-8") if password else None)
        cert = pki.signer_certificate(folder)
    except (ValueError, OSError) as exc:
        click.echo(f"导入失败，原有签名证书未改动：{exc}", err=True)
        sys.exit(1)
    click.echo(f"已导入 PDF 签名证书：{cert.subject.rfc4514_string()}，"
               f"有效期至 {cert.not_valid_after_utc:%Y-%m-%d}")
    _audit_keys(cfg, "keys.import", subject=cert.subject.rfc4514_string(), serial=format(cert.serial_number, "x"))


@keys_group.command("rotate")
def keys_rotate():
    """换用新的二维码签名密钥；旧密钥保留在公钥集（JWKS）中，此前签发的证书仍可核验。"""
    from certificates import jws_keys, keys_folder
    cfg = _cfg()
    folder = keys_folder(cfg)
    try:
        old = jws_keys.current(folder)[0]
        kid = jws_keys.rotate(folder)
    except (ValueError, OSError) as exc:
        click.echo(f"换用新密钥失败：{exc}", err=True)
        sys.exit(1)
    click.echo(f"已换用新密钥 {kid}；旧密钥 {old} 保留用于核验已签发的证书")
    _audit_keys(cfg, "keys.rotate", kid=kid, previous=old)


@keys_group.command("list")
def keys_list():
    """列出签名密钥和 PDF 签名证书。"""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes

    from certificates import jws_keys, keys_folder, pki
    folder = keys_folder(_cfg())
    try:
        keys = jws_keys.listing(folder)
    except (ValueError, OSError) as exc:
        click.echo(str(exc), err=True)
        sys.exit(1)
    click.echo(f"二维码/电子徽章签名密钥（Ed25519，{folder / jws_keys.SUBFOLDER}）：")
    for key in keys:
        click.echo(f"  {key['kid']}  创建于 {key['created']}{'  （当前）' if key['current'] else ''}")
    try:
        cert = pki.signer_certificate(folder)
        root = x509.load_pem_x509_certificate(pki.ca_certificate_pem(folder))
    except (ValueError, OSError) as exc:
        click.echo(f"PDF 签名证书：{exc}", err=True)
        sys.exit(1)
    click.echo("PDF 签名证书（X.509）：")
    click.echo(f"  签名者 {cert.subject.rfc4514_string()}，有效期至 {cert.not_valid_after_utc:%Y-%m-%d}")
    fingerprint = root.fingerprint(hashes.SHA256()).hex(":").upper()
    click.echo(f"  根证书 {root.subject.rfc4514_string()}，SHA-256 指纹 {fingerprint}")


@main.group("certificates")
def certificates_group():
    """证书。"""


@certificates_group.command("issue")
@click.option("--session", "session_id", type=int, required=True, help="场次编号")
def certificates_issue(session_id):
    """为成绩已发布的场次补发证书（例如证书功能上线前发布的场次）：只发给达标且尚未持有该等级证书的考生，重复运行不会重复颁发。"""
    from certificates import service
    from exam import db
    from exam.timeutil import utcnow
    cfg = _cfg()
    try:
        numbers = service.issue_published(db.engine_for(cfg["DATABASE_URL"]), session_id, utcnow(), None, cfg)
    except service.CertificateError as exc:
        raise click.ClickException(str(exc))
    click.echo(f"已颁发 {len(numbers)} 张证书：{'、'.join(numbers)}" if numbers else "没有需要补发的证书")


@certificates_group.command("verify")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--register", "register_url", default=None,
              help="签发考点的地址（如 https://exam.example.cn）：通过其接口核对登记库；本机没有密钥时也从那里取公钥和根证书")
@click.option("--offline", is_flag=True, help="不查询登记库，只核对 PDF 签名和二维码令牌")
def certificates_verify(file, register_url, offline):
    """核验证书 PDF：PDF 数字签名、二维码令牌签名和登记库（可访问时）三者一致才退出码 0；
    核验失败退出码 1，证书真实但已过期或已撤销退出码 3。"""
    from certificates import verify_cli
    cfg = _cfg()
    report, notes = verify_cli.run(file.read_bytes(), cfg, register_url, offline)
    for note in notes:
        click.echo(note, err=True)
    mark = {"pass": "✔", "fail": "✘", "skip": "—"}
    for check in report.checks:
        click.echo(f"{mark[check.state]} {check.name}：{check.message}")
    if report.view is not None:
        v = report.view
        click.echo(f"证书：{v.number} {v.holder_name} {v.level_name} 发证 {v.issued_on} 有效期至 {v.expires_on}"
                   f"（{v.status_name}）")
    click.echo(f"结论：{report.reason}", err=report.exit_code != 0)
    sys.exit(report.exit_code)


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
