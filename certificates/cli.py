"""The certificates' console commands: ``callexam keys …`` and ``callexam certificates issue/verify``."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from exam import config


def _cfg() -> dict:
    return config.load()


@click.group("keys")
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
    click.echo(f"已换用新密钥 {kid}（电子徽章密钥 {jws_keys.current_badge(folder)[0]}）；"
               f"旧密钥 {old} 保留用于核验已签发的证书")
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
    click.echo(f"二维码签名密钥（Ed25519，{folder / jws_keys.SUBFOLDER}）：")
    for key in (k for k in keys if k["alg"] == jws_keys.ALG):
        click.echo(f"  {key['kid']}  创建于 {key['created']}{'  （当前）' if key['current'] else ''}")
    click.echo("电子徽章和撤销状态列表签名密钥（ES256，ECDSA P-256）：")
    for key in (k for k in keys if k["alg"] == jws_keys.BADGE_ALG):
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


@click.group("certificates")
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
@click.option("--offline", is_flag=True, help="不查询登记库和撤销状态列表，只核对签名")
def certificates_verify(file, register_url, offline):
    """核验证书：PDF（数字签名、二维码令牌）、电子徽章（.jwt/.json，含撤销状态列表）或证书照片（PNG/JPEG，读取二维码），
    并核对登记库（可访问时）。退出码：0 真实有效；1 核验未通过；3 证书真实但已过期或已撤销；
    4 无法核验（本机没有签发考点的公钥/根证书，也没有 --register）。结论一行写在标准输出。"""
    import logging
    import warnings

    from certificates import verification, verify_cli
    # pyHanko logs a whole traceback for a signer it cannot chain to a root; the report says it in a line
    logging.getLogger("pyhanko").setLevel(logging.CRITICAL)
    logging.getLogger("pyhanko_certvalidator").setLevel(logging.CRITICAL)
    warnings.simplefilter("ignore")
    cfg = _cfg()
    try:
        data = file.read_bytes()
        report, notes = verify_cli.run(data, cfg, register_url, offline)
    except OSError as exc:
        click.echo(f"结论：无法读取文件 {file}：{exc.strerror or exc}")
        sys.exit(verification.EXIT_FAILED)
    except Exception as exc:  # a file crafted to break a parser must not end in a traceback
        click.echo(f"结论：核验未通过：文件无法解析（{exc.__class__.__name__}），不是本系统签发的证书文件")
        sys.exit(verification.EXIT_FAILED)
    for note in notes:
        click.echo(note, err=True)
    mark = {"pass": "✔", "fail": "✘", "skip": "—"}
    for check in report.checks:
        click.echo(f"{mark[check.state]} {check.name}：{check.message}")
    if report.view is not None:
        v = report.view
        click.echo(f"证书：{v.number} {v.holder_name or '（姓名见登记库）'} {v.level_name} 发证 {v.issued_on} "
                   f"有效期至 {v.expires_on}（{v.status_name}）")
    click.echo(f"结论：{report.reason}")
    sys.exit(report.exit_code)


@certificates_group.command("verify-bulk")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="核验结果 XLSX 的保存路径（默认：名单旁的“<名单名>-核验结果.xlsx”）")
@click.option("--register", "register_url", default=None,
              help="签发考点的地址：逐行通过其公开接口核对（受其查询频率限制，大批名单请用网页“批量核验”）；"
                   "不加时查询本机登记库")
def certificates_verify_bulk(file, output, register_url):
    """批量核验证书名单（XLSX 或 CSV，含“证书编号”“姓名”两列，最多 2000 行），写出核验结果 XLSX。
    编号或姓名写错的行标为“格式有误”，其余各行照常核验。退出码：0 全部有效；1 有未找到或格式有误的行，
    或文件无法读取为名单；3 全部找到但有已过期或已撤销的；4 无法核验（本机没有登记库也没有 --register，
    或登记库未回答部分行）。结论一行写在标准输出。"""
    from certificates import bulk, verification, verify_cli
    from exam.timeutil import to_local, utcnow
    cfg = _cfg()
    out = output or file.with_name(f"{file.stem}-核验结果.xlsx")
    if out.resolve() == file.resolve():
        raise click.UsageError("结果文件不能覆盖名单本身，请用 -o 指定另一个路径")
    try:
        parsed, lines, notes = verify_cli.run_bulk(file.name, file.read_bytes(), cfg, register_url)
    except OSError as exc:
        click.echo(f"结论：无法读取文件 {file}：{exc.strerror or exc}")
        sys.exit(verification.EXIT_FAILED)
    for note in notes:
        click.echo(note, err=True)
    if parsed.errors:
        for error in parsed.errors:
            click.echo(f"{file.name}：{error}")
        click.echo(f"结论：文件无法读取为核验名单（{len(parsed.errors)} 处问题），未做核验")
        sys.exit(verification.EXIT_FAILED)
    if lines is None:
        click.echo("结论：无法核验：没有可查询的登记库（这不表示名单中的证书是伪造的）")
        sys.exit(verification.EXIT_CANNOT_VERIFY)
    checked_at = to_local(utcnow(), cfg.get("TIMEZONE", verification.DEFAULT_TZ)).strftime("%Y-%m-%d %H:%M")
    try:
        out.write_bytes(bulk.results_xlsx(lines, checked_at))
    except OSError as exc:
        click.echo(f"结论：无法写出结果文件 {out}：{exc.strerror or exc}")
        sys.exit(verification.EXIT_FAILED)
    for line in lines:
        if line[3] != "有效":
            click.echo(f"第 {line[0]} 行 {line[1]} {line[2]}：{line[3]}（{line[12]}）")
    counts = bulk.counts(lines)
    click.echo("共 {} 行：{}".format(len(lines), "，".join(f"{k} {v}" for k, v in counts.items() if v)))
    click.echo(f"结果已写入 {out}")
    verdicts = {verification.EXIT_OK: "全部有效", verification.EXIT_FAILED: "有未找到或格式有误的行，请查看结果文件",
                verification.EXIT_NOT_VALID: "全部找到，但有已过期或已撤销的证书",
                verification.EXIT_CANNOT_VERIFY: "有未核对的行（登记库未回答），请稍后重试"}
    code = verify_cli.bulk_exit_code(lines)
    click.echo(f"结论：{verdicts[code]}")
    sys.exit(code)
