"""What ``callexam certificates verify FILE`` checks against, gathered for ``verification.verify_file``
(a certificate PDF, an Open Badge ``.jwt``/``.json``, or a PNG/JPEG photo of the paper).

Keys come from this instance's folder when it has them (the issuing server, or a verifier's copy of
its public keys); otherwise, with ``--register URL``, from that instance's public JWKS and CA
certificate (a trust-on-first-use choice the output states). The register is that URL's JSON API,
else this instance's own database when it exists; an unreachable register is reported and skipped,
never a reason to call a genuine certificate false. With no keys and no register at all the
verdict is "cannot verify" (``verification.EXIT_CANNOT_VERIFY``), not "forged".
"""

from __future__ import annotations

import json
import tempfile
from pathlib import Path
from urllib.error import URLError
from urllib.request import urlopen

from certificates import keys_folder, verification
from certificates.verification import RegisterUnavailable, Report

TIMEOUT = 10.0


def remote_register(base_url: str, timeout: float = 10.0) -> verification.Register:
    """Another instance's register through its JSON API (``GET /api/v1/certificates/<number>``)."""
    from urllib.error import HTTPError, URLError
    from urllib.parse import quote, urlencode
    from urllib.request import Request, urlopen

    def ask(number: str, name: str) -> verification.Found | None:
        url = f"{base_url.rstrip('/')}/api/v1/certificates/{quote(number, safe='')}?{urlencode({'name': name})}"
        try:
            with urlopen(Request(url, headers={"Accept": "application/json"}), timeout=timeout) as resp:
                return verification.Found.from_json(json.load(resp))
        except HTTPError as exc:
            if exc.code == 404 and _json_or_none(exc).get("found") is False:
                return None
            if exc.code == 429:
                raise RegisterUnavailable("查询过于频繁，登记库暂时拒绝查询") from None
            raise RegisterUnavailable(f"{url} 返回 HTTP {exc.code}") from None
        except (URLError, OSError) as exc:
            raise RegisterUnavailable(f"无法连接 {base_url}：{getattr(exc, 'reason', exc)}") from None
        except (ValueError, KeyError, TypeError):
            raise RegisterUnavailable(f"{url} 的回答不是证书核验接口的格式") from None
    return ask


def _json_or_none(response) -> dict:
    try:
        data = json.load(response)
    except (ValueError, OSError):
        return {}
    return data if isinstance(data, dict) else {}


def _fetch(url: str) -> bytes:
    with urlopen(url, timeout=TIMEOUT) as resp:
        return resp.read()


def _jwks(folder: Path, register_url: str | None, notes: list[str]) -> dict:
    from certificates import jws_keys
    try:
        return jws_keys.jwks(folder)
    except (FileNotFoundError, ValueError, OSError) as exc:
        if not register_url:
            notes.append(f"本机没有二维码公钥（{exc}）：请加 --register 签发考点地址，或先复制其公钥")
            return {"keys": []}
    url = f"{register_url.rstrip('/')}/.well-known/jwks.json"
    try:
        data = json.loads(_fetch(url))
    except (URLError, OSError, ValueError) as exc:
        notes.append(f"无法从 {url} 取得公钥：{getattr(exc, 'reason', exc)}")
        return {"keys": []}
    notes.append(f"二维码公钥取自 {url}")
    return data if isinstance(data, dict) else {"keys": []}


def _trust_folder(folder: Path, register_url: str | None, scratch: Path, notes: list[str]) -> Path:
    """The key folder ``pades.check`` reads trusted roots from (``pki.TRUST``)."""
    from certificates import pki
    if (folder / pki.TRUST).exists() or not register_url:
        if not (folder / pki.TRUST).exists():
            notes.append(f"本机没有根证书（{folder / pki.TRUST}）：PDF 签名无法判断是否可信")
        return folder
    url = f"{register_url.rstrip('/')}/certificates/ca.pem"
    try:
        pem = _fetch(url)
    except (URLError, OSError) as exc:
        notes.append(f"无法从 {url} 取得根证书：{getattr(exc, 'reason', exc)}")
        return folder
    (scratch / pki.TRUST).write_bytes(pem)
    notes.append(f"根证书取自 {url}（首次信任：请核对其指纹与签发考点公布的一致）")
    return scratch


def _local_register(cfg: dict, today, notes: list[str]):
    """This instance's database, if there is one; lookups that fail (no tables yet) count as unreachable."""
    from sqlalchemy.exc import SQLAlchemyError
    from sqlmodel import Session

    from exam import db
    url = cfg["DATABASE_URL"]
    if db.is_sqlite(url):
        path = url.split("///", 1)[-1]
        if not Path(path).exists():
            notes.append("本机没有登记库数据库，未核对登记状态（可加 --register 签发考点地址）")
            return None
    engine = db.throwaway_engine(url)

    def ask(number: str, name: str):
        try:
            with Session(engine) as session:
                return verification.lookup(session, number, name, today, cfg.get("TIMEZONE", verification.DEFAULT_TZ))
        except SQLAlchemyError as exc:
            raise RegisterUnavailable(f"本机数据库无法查询：{exc.__class__.__name__}") from None
    return ask


def _status_fetch(cfg: dict, register_url: str | None, offline: bool):
    """How the console reads a badge's revocation list: over HTTP(S) from the address the badge
    names (size-capped, with a timeout); never when ``--offline``."""
    if offline:
        return None

    def fetch(url: str) -> bytes:
        if not url.startswith(("https://", "http://")):
            raise RegisterUnavailable(f"撤销状态列表地址 {url!r} 不是网址")
        try:
            with urlopen(url, timeout=TIMEOUT) as resp:
                return resp.read(8 * 1024 * 1024)
        except (URLError, OSError, ValueError) as exc:
            raise RegisterUnavailable(f"无法取得 {url}：{getattr(exc, 'reason', exc)}") from None
    return fetch


def _local_rows(cfg: dict, today, notes: list[str]):
    """A badge names only its number (the holder's name is a hash): this instance's register by
    number, when there is one; another instance's public API needs the name, so it is not asked."""
    from sqlalchemy.exc import SQLAlchemyError
    from sqlmodel import Session

    from certificates import service
    from exam import db
    url = cfg["DATABASE_URL"]
    if db.is_sqlite(url) and not Path(url.split("///", 1)[-1]).exists():
        return None
    engine = db.throwaway_engine(url)
    tz = cfg.get("TIMEZONE", verification.DEFAULT_TZ)

    def ask(number: str):
        try:
            with Session(engine) as session:
                row = service.by_number(session, number)
                return None if row is None else (verification._found(row, today, tz), row.holder_name)
        except SQLAlchemyError as exc:
            raise RegisterUnavailable(f"本机数据库无法查询：{exc.__class__.__name__}") from None
    return ask


def run(data: bytes, cfg: dict, register_url: str | None, offline: bool) -> tuple[Report, list[str]]:
    from exam.timeutil import local_today, utcnow

    notes: list[str] = []
    folder = keys_folder(cfg)
    tz = cfg.get("TIMEZONE", verification.DEFAULT_TZ)
    today = local_today(utcnow(), tz)
    rows = None
    if offline:
        register = None
    elif register_url:
        register = remote_register(register_url, TIMEOUT)
    else:
        register = _local_register(cfg, today, notes)
        rows = _local_rows(cfg, today, notes)
    with tempfile.TemporaryDirectory(prefix="callexam-verify-") as scratch:
        jwks = _jwks(folder, register_url, notes)
        trust = _trust_folder(folder, register_url, Path(scratch), notes)
        report = verification.verify_file(data, trust, jwks, register, _status_fetch(cfg, register_url, offline),
                                          rows, today, tz)
    if report.cannot_verify and register is None and not register_url:
        report.cannot_verify += "；请加 --register 签发考点地址，或先复制其公钥（jwks.json）和根证书（ca.pem）"
    return report, notes


def _local_engine(cfg: dict):
    """This instance's database engine when it holds a register to ask (a certificate table with at
    least one row), else None: an empty or missing database cannot tell "not found" from "not ours"."""
    from sqlalchemy import text
    from sqlalchemy.exc import SQLAlchemyError

    from exam import db
    url = cfg["DATABASE_URL"]
    if db.is_sqlite(url) and not Path(url.split("///", 1)[-1]).exists():
        return None
    engine = db.throwaway_engine(url)
    try:
        with engine.connect() as conn:
            return engine if conn.execute(text("SELECT 1 FROM certificate LIMIT 1")).first() else None
    except SQLAlchemyError:
        return None


def run_bulk(filename: str, data: bytes, cfg: dict, register_url: str | None):
    """``callexam certificates verify-bulk``: the file read by ``bulk.parse`` (exam.tabular), each
    good row asked of this instance's register (one query per 500 numbers) or, with ``--register``,
    of that instance's public API row by row. A row the register could not answer (unreachable,
    throttled) is "未核对", never "未找到". Returns (parsed file, result lines, notes) — no lines
    when the file could not be read or there is no register at all."""
    from sqlmodel import Session

    from certificates import bulk
    from exam.timeutil import local_today, utcnow

    notes: list[str] = []
    parsed = bulk.parse(filename, data)
    if not parsed.ok:
        return parsed, None, notes
    tz = cfg.get("TIMEZONE", verification.DEFAULT_TZ)
    today = local_today(utcnow(), tz)
    pairs = [(r.number, r.name) for r in parsed.rows]
    if register_url:
        ask = remote_register(register_url, TIMEOUT)
        answers: list = []
        stopped = None
        for number, name in pairs:
            if stopped is None:
                try:
                    answers.append(ask(number, name))
                    continue
                except RegisterUnavailable as exc:
                    stopped = f"登记库未回答：{exc}"
                    notes.append(f"{register_url} 未回答（{exc}），其余各行未核对；大批名单请用网页“批量核验”")
            answers.append(stopped)
        return parsed, bulk.result_lines(parsed, answers), notes
    engine = _local_engine(cfg)
    if engine is None:
        notes.append("本机没有登记库（数据库不存在或没有任何证书记录）：请加 --register 签发考点地址，或在签发考点的服务器上运行")
        return parsed, None, notes
    with Session(engine) as session:
        found = verification.lookup_many(session, pairs, today, tz)
    return parsed, bulk.result_lines(parsed, found), notes


def bulk_exit_code(lines: list[tuple] | None) -> int:
    """0 every line 有效; 1 a line 未找到 or 格式有误; 4 nothing to ask, or some line 未核对;
    3 every line found but some expired or revoked."""
    from certificates import bulk
    if lines is None:
        return verification.EXIT_CANNOT_VERIFY
    n = bulk.counts(lines)
    if n["未找到"] or n["格式有误"]:
        return verification.EXIT_FAILED
    if n[bulk.UNCHECKED]:
        return verification.EXIT_CANNOT_VERIFY
    if n["已过期"] or n["已撤销"]:
        return verification.EXIT_NOT_VALID
    return verification.EXIT_OK
