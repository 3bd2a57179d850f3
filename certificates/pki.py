"""The X.509 side of certificate signing: who signs the PDFs, and which roots a reader should trust.

PDF readers (Acrobat, Foxit, poppler's ``pdfsig``) check a PAdES signature against X.509 certificates
and accept RSA and ECDSA, not Ed25519; so the PDFs are signed with an ECDSA P-256 key whose
certificate chains to a root the verifier can be given. A standalone install makes its own issuing
CA (``init``); an organisation with a real CA imports its signer as PKCS#12 (``import_pkcs12``).

Files in the key folder (``<instance>/keys``, 0700; every file 0600, private keys unencrypted at rest
because the server signs unattended, so the folder's permissions are the protection):

    ca.key.pem / ca.cert.pem     the self-signed issuing CA (standalone installs only)
    signer.key.pem               the document-signing key
    signer.cert.pem              its certificate
    chain.pem                    the certificates between it and its root (root included)
    trust.pem                    every root this instance has ever signed under, current first, so
                                 PDFs signed before an import still check as trusted
"""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path

from asn1crypto import x509 as asn1_x509
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, ed448, ed25519, rsa
from cryptography.hazmat.primitives.serialization import pkcs12
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

CA_KEY, CA_CERT = "ca.key.pem", "ca.cert.pem"
SIGNER_KEY, SIGNER_CERT, CHAIN, TRUST = "signer.key.pem", "signer.cert.pem", "chain.pem", "trust.pem"

CA_YEARS, SIGNER_YEARS = 20, 10
#: Adobe's "document signing" purpose, which some readers look for besides digitalSignature.
ADOBE_DOCUMENT_SIGNING = x509.ObjectIdentifier("1.2.840.113583.1.1.5")


class PkiError(ValueError):
    """Something wrong with the signing keys, said in Chinese for the CLI and the pages."""


# --- files ------------------------------------------------------------------------------------

def _prepare(folder: Path) -> Path:
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    os.chmod(folder, 0o700)
    return folder


def _write(path: Path, data: bytes) -> None:
    """Owner-only from the first byte (no window where the key is world-readable), then swapped in."""
    tmp = path.with_name(path.name + ".tmp")
    if tmp.exists():
        tmp.unlink()
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as out:
        out.write(data)
        out.flush()
        os.fsync(out.fileno())
    os.replace(tmp, path)


def _pem(cert: x509.Certificate) -> bytes:
    return cert.public_bytes(serialization.Encoding.PEM)


def _key_pem(key) -> bytes:
    return key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                             serialization.NoEncryption())


def _read_certs(path: Path) -> list[x509.Certificate]:
    return x509.load_pem_x509_certificates(path.read_bytes()) if path.exists() else []


def _is_ready(folder: Path) -> bool:
    return (folder / SIGNER_KEY).exists() and (folder / SIGNER_CERT).exists()


def _add_trust(folder: Path, roots: list[x509.Certificate]) -> None:
    """Put ``roots`` first in trust.pem, keeping the older ones after them."""
    known = roots + [c for c in _read_certs(folder / TRUST) if c not in roots]
    _write(folder / TRUST, b"".join(_pem(c) for c in known))


# --- the standalone CA ------------------------------------------------------------------------

def _name(organisation: str, common_name: str) -> x509.Name:
    return x509.Name([
        x509.NameAttribute(NameOID.COUNTRY_NAME, "CN"),
        x509.NameAttribute(NameOID.ORGANIZATION_NAME, organisation),
        x509.NameAttribute(NameOID.COMMON_NAME, common_name),
    ])


def _issue_ca(organisation: str, now: dt.datetime):
    key = ec.generate_private_key(ec.SECP256R1())
    name = _name(organisation, f"{organisation} 证书签发根CA")
    ski = x509.SubjectKeyIdentifier.from_public_key(key.public_key())
    cert = (
        x509.CertificateBuilder()
        .subject_name(name).issuer_name(name).public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(minutes=5))
        .not_valid_after(now + dt.timedelta(days=365 * CA_YEARS))
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .add_extension(x509.KeyUsage(digital_signature=False, content_commitment=False,
                                     key_encipherment=False, data_encipherment=False,
                                     key_agreement=False, key_cert_sign=True, crl_sign=True,
                                     encipher_only=False, decipher_only=False), critical=True)
        .add_extension(ski, critical=False)
        .sign(key, hashes.SHA256())
    )
    return key, cert


def _issue_signer(ca_key, ca_cert: x509.Certificate, organisation: str, now: dt.datetime):
    key = ec.generate_private_key(ec.SECP256R1())
    not_after = min(now + dt.timedelta(days=365 * SIGNER_YEARS), ca_cert.not_valid_after_utc)
    cert = (
        x509.CertificateBuilder()
        .subject_name(_name(organisation, f"{organisation} 证书文件签名"))
        .issuer_name(ca_cert.subject).public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(minutes=5)).not_valid_after(not_after)
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(x509.KeyUsage(digital_signature=True, content_commitment=True,
                                     key_encipherment=False, data_encipherment=False,
                                     key_agreement=False, key_cert_sign=False, crl_sign=False,
                                     encipher_only=False, decipher_only=False), critical=True)
        .add_extension(x509.ExtendedKeyUsage([ADOBE_DOCUMENT_SIGNING,
                                              ExtendedKeyUsageOID.EMAIL_PROTECTION]), critical=False)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
        .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(ca_key.public_key()),
                       critical=False)
        .sign(ca_key, hashes.SHA256())
    )
    return key, cert


def init(folder: Path, organisation: str = "callexam 演示考点") -> None:
    """A self-signed issuing CA and the document-signing certificate it issues, unless a signer is
    already there (made earlier or imported): running it twice changes nothing."""
    folder = _prepare(folder)
    if _is_ready(folder):
        return
    now = dt.datetime.now(dt.timezone.utc)
    if (folder / CA_KEY).exists() and (folder / CA_CERT).exists():
        ca_key = serialization.load_pem_private_key((folder / CA_KEY).read_bytes(), None)
        ca_cert = x509.load_pem_x509_certificate((folder / CA_CERT).read_bytes())
    else:
        ca_key, ca_cert = _issue_ca(organisation, now)
        _write(folder / CA_KEY, _key_pem(ca_key))
        _write(folder / CA_CERT, _pem(ca_cert))
    key, cert = _issue_signer(ca_key, ca_cert, organisation, now)
    _write(folder / CHAIN, _pem(ca_cert))
    _write(folder / SIGNER_CERT, _pem(cert))
    _write(folder / SIGNER_KEY, _key_pem(key))  # last: its presence means "ready"
    _add_trust(folder, [ca_cert])


# --- an organisation's signer -----------------------------------------------------------------

def _roots_of(cert: x509.Certificate, chain: list[x509.Certificate]) -> list[x509.Certificate]:
    """The self-signed certificates of the chain; failing that, its top (the issuer the reader must
    be given), or the signer itself when it came alone."""
    roots = [c for c in chain if c.issuer == c.subject]
    if roots:
        return roots
    return [chain[-1]] if chain else [cert]


def import_pkcs12(folder: Path, data: bytes, password: bytes | None) -> None:
    """Replace the signer with an organisation's key, certificate and chain; earlier roots stay
    trusted so PDFs already issued still check."""
    try:
        key, cert, chain = pkcs12.load_key_and_certificates(data, password)
    except ValueError as exc:
        raise PkiError("PKCS#12 文件无法打开：密码错误，或文件不是 PKCS#12（.p12/.pfx）格式。") from exc
    if key is None:
        raise PkiError("PKCS#12 文件中没有私钥：请导出时包含私钥。")
    if cert is None:
        raise PkiError("PKCS#12 文件中没有与私钥对应的证书。")
    if isinstance(key, (ed25519.Ed25519PrivateKey, ed448.Ed448PrivateKey)):
        raise PkiError("签名证书使用 Ed25519/Ed448 密钥，常见 PDF 阅读器不支持；请使用 ECDSA P-256 或 RSA 证书。")
    if not isinstance(key, (ec.EllipticCurvePrivateKey, rsa.RSAPrivateKey)):
        raise PkiError("签名证书的密钥类型不受支持；请使用 ECDSA P-256 或 RSA 证书。")
    if cert.public_key().public_bytes(serialization.Encoding.DER,
                                      serialization.PublicFormat.SubjectPublicKeyInfo) != \
            key.public_key().public_bytes(serialization.Encoding.DER,
                                          serialization.PublicFormat.SubjectPublicKeyInfo):
        raise PkiError("PKCS#12 文件中的证书与私钥不匹配。")
    now = dt.datetime.now(dt.timezone.utc)
    if cert.not_valid_after_utc < now:
        raise PkiError(f"签名证书已于 {cert.not_valid_after_utc:%Y-%m-%d} 过期，请换用有效证书。")
    if cert.not_valid_before_utc > now:
        raise PkiError(f"签名证书要到 {cert.not_valid_before_utc:%Y-%m-%d} 才生效。")
    chain = [c for c in (chain or []) if c != cert]
    folder = _prepare(folder)
    _write(folder / CHAIN, b"".join(_pem(c) for c in chain))
    _write(folder / SIGNER_CERT, _pem(cert))
    _write(folder / SIGNER_KEY, _key_pem(key))
    _add_trust(folder, _roots_of(cert, chain))


# --- for signing and checking -----------------------------------------------------------------

def _require(folder: Path) -> Path:
    folder = Path(folder)
    if not _is_ready(folder):
        raise PkiError(f"没有 PDF 签名密钥（{folder}）：请先运行 callexam keys init 或 callexam keys import。")
    return folder


_SIGNERS: dict[tuple, object] = {}


def signer(folder: Path):
    """pyHanko's signer for the folder's key; kept per process and reloaded when the files change."""
    from pyhanko.sign import signers  # pyHanko is heavy: only code that signs pays for it

    folder = _require(folder)
    stamp = tuple((folder / n).stat().st_mtime_ns for n in (SIGNER_KEY, SIGNER_CERT))
    cache_key = (str(folder.resolve()), stamp)
    found = _SIGNERS.get(cache_key)
    if found is None:
        chain_files = [str(folder / CHAIN)] if _read_certs(folder / CHAIN) else None
        loaded = signers.SimpleSigner.load(str(folder / SIGNER_KEY), str(folder / SIGNER_CERT),
                                           ca_chain_files=chain_files)
        if loaded is None:
            raise PkiError(f"PDF 签名密钥无法读取（{folder / SIGNER_KEY}）。")
        # Intermediates travel in the signature, roots do not: a reader takes a root from its own
        # trust store, never from the file; a smaller CMS is also quicker to build (~2 ms).
        found = signers.SimpleSigner(signing_cert=loaded.signing_cert, signing_key=loaded.signing_key,
                                     cert_registry=loaded.cert_registry, embed_roots=False)
        _SIGNERS.clear()
        _SIGNERS[cache_key] = found
    return found


def signer_certificate(folder: Path) -> x509.Certificate:
    return x509.load_pem_x509_certificate((_require(folder) / SIGNER_CERT).read_bytes())


def ca_certificate_pem(folder: Path) -> bytes:
    """The root a PDF reader must trust to call our signatures trusted (the current one)."""
    roots = _read_certs(_require(folder) / TRUST)
    if not roots:
        raise PkiError(f"找不到根证书（{Path(folder) / TRUST}）。")
    return _pem(roots[0])


def trust_roots(folder: Path) -> list:
    """Every root this instance has signed under, as asn1crypto certificates (pyHanko's type)."""
    return [asn1_x509.Certificate.load(c.public_bytes(serialization.Encoding.DER))
            for c in _read_certs(Path(folder) / TRUST)]
