"""The certificate as files: the signed PDF and the Open Badge, made once and handed out many times.

The PDF is rendered and signed on its first download and kept in the register row with the QR token
it carries, so every later download is the same bytes (a certificate must not change after it was
handed out; a re-render would carry a new signature time and, after a key rotation, a new key id).
Two first downloads racing both render, but only the first to store wins and both return its bytes.
Revocation changes nothing here: a revoked certificate's PDF stays intact and the register, the
verification page and the API say it is revoked.
"""

from __future__ import annotations

import os
from pathlib import Path

from sqlalchemy import select, update
from sqlalchemy.engine import Engine
from sqlmodel import Session

from certificates import rules
from certificates.models import Certificate
from certificates.service import CertificateError
from exam.db import write_connection
from exam.timeutil import local_today, utcnow

#: Where the QR code points when the instance does not say (PUBLIC_URL / CALLEXAM_PUBLIC_URL).
DEFAULT_PUBLIC_URL = "http://localhost:5000"
_T = Certificate.__table__


def public_url(config: dict | None = None) -> str:
    config = config or {}
    return str(config.get("PUBLIC_URL") or os.environ.get("CALLEXAM_PUBLIC_URL") or DEFAULT_PUBLIC_URL).rstrip("/")


def base_url(config: dict, url_root: str) -> str:
    """The public address pages and badges use: PUBLIC_URL when configured, else the request's root."""
    return public_url(config) if config.get("PUBLIC_URL") else url_root.rstrip("/")


def verify_url(base: str, token: str) -> str:
    """The QR target: the public verification page with the token (compact JWS is URL-safe)."""
    return f"{base.rstrip('/')}/verify?t={token}"


def _row(engine: Engine, certificate_id: int) -> Certificate:
    with Session(engine) as db:
        cert = db.get(Certificate, certificate_id)
        if cert is None:
            raise CertificateError(f"证书 {certificate_id} 不存在")
        db.expunge(cert)
        return cert


def token_for(engine: Engine, certificate_id: int, folder: Path) -> str:
    """The certificate's QR token, signed once and kept (the PDF and the badge carry the same one)."""
    from certificates import tokens

    cert = _row(engine, certificate_id)
    if cert.token:
        return cert.token
    token = tokens.sign(cert.view(local_today(utcnow(), rules.settings()[2])).fields(), folder)
    with write_connection(engine) as conn:
        conn.execute(update(_T).where(_T.c.id == certificate_id, _T.c.token.is_(None)).values(token=token))
        return conn.execute(select(_T.c.token).where(_T.c.id == certificate_id)).scalar_one()


def signed_pdf(engine: Engine, certificate_id: int, folder: Path, base_url: str | None = None) -> bytes:
    """The certificate's signed PDF (``document.render`` then ``pades.sign``), made on first call.
    ``folder`` is the instance's key folder; ``base_url`` the public address the QR code opens."""
    from certificates import document, pades

    cert = _row(engine, certificate_id)
    if cert.pdf:
        return bytes(cert.pdf)
    token = token_for(engine, certificate_id, folder)
    view = cert.view(local_today(utcnow(), rules.settings()[2]))
    pdf = pades.sign(document.render(view, token, verify_url(base_url or public_url(), token)), folder)
    with write_connection(engine) as conn:
        conn.execute(update(_T).where(_T.c.id == certificate_id, _T.c.pdf.is_(None))
                     .values(pdf=pdf, pdf_made_at=utcnow()))
        stored = conn.execute(select(_T.c.pdf).where(_T.c.id == certificate_id)).scalar_one()
    return bytes(stored)


def filename(cert: Certificate, ext: str) -> str:
    return f"证书-{cert.number}.{ext}"


def badge(engine: Engine, certificate_id: int, folder: Path, base_url: str | None = None) -> str:
    """The certificate as a signed Open Badges 3.0 credential (VC-JOSE compact JWS, area A's
    ``badge``). Made on each download: it is small and carries no signing time worth freezing."""
    from certificates import badge as badges

    cert = _row(engine, certificate_id)
    tz = rules.settings()[2]
    return badges.signed(cert.view(local_today(utcnow(), tz)), folder, base_url or public_url(), tz,
                         status_index=cert.id)
