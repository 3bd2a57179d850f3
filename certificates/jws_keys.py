"""The keys that sign the QR tokens (Ed25519, EdDSA) and the Open Badges (ECDSA P-256, ES256),
kept by key id.

Two kinds because the two travel differently: the QR token must be short (an Ed25519 signature is
64 bytes and every byte is in the printed code) and is checked by us or any JOSE library; the Open
Badge goes into wallets and backpacks built on 1EdTech's validator, which accepts only RS256 and
ES256. Both kinds are made and rotated together.

A printed certificate lives for years and its QR token names the key that signed it, so keys are
never deleted: ``rotate`` makes a new current key and the old ones stay in the JWKS, where a
verifier still finds them for the certificates they signed.

Files in ``<instance>/keys/jws`` (0700; every file 0600, private keys unencrypted at rest because
the server signs unattended, so the folder's permissions are the protection):

    <kid>.pem        one PKCS#8 private key per key id
    manifest.json    {"current": kid, "current_badge": kid, "keys": [{"kid": …, "alg": "EdDSA"|"ES256",
                     "created": ISO time}, …]}, oldest first (entries without "alg" are EdDSA)

A key id is the first 16 characters of the key's RFC 7638 thumbprint: short (every byte of it is in
each QR code) yet derived from the key, so a wrong file under a right name is noticed.
"""

from __future__ import annotations

import base64
import datetime as dt
import fcntl
import hashlib
import json
import os
from contextlib import contextmanager
from pathlib import Path

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, ed25519

SUBFOLDER = "jws"
MANIFEST = "manifest.json"
ALG = "EdDSA"
BADGE_ALG = "ES256"
KID_LENGTH = 16
#: Where a badge key's ``kid`` points (an absolute URL OB 3.0 validators dereference to the JWK).
KEY_PATH = "/.well-known/jwks/{kid}.json"


class KeysMissing(FileNotFoundError):
    """No JWS key yet (``callexam keys init`` not run); a FileNotFoundError so callers that already
    treat missing key files as "not set up" need nothing new."""


class KeyFileError(ValueError):
    """A key file that is there but unusable, said in Chinese with the file's path."""


# --- files --------------------------------------------------------------------------------------

def _dir(folder: Path) -> Path:
    return Path(folder) / SUBFOLDER


def _prepare(folder: Path) -> Path:
    """The key folder and its jws subfolder, both owner-only whatever the umask."""
    folder = Path(folder)
    for path in (folder, _dir(folder)):
        path.mkdir(parents=True, exist_ok=True)
        os.chmod(path, 0o700)
    return _dir(folder)


def _write(path: Path, data: bytes) -> None:
    """Owner-only from the first byte, then swapped in whole (a reader never sees half a file)."""
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    try:
        os.fchmod(fd, 0o600)
        with os.fdopen(fd, "wb") as out:
            out.write(data)
            out.flush()
            os.fsync(out.fileno())
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    os.replace(tmp, path)


@contextmanager
def _locked(jws_dir: Path):
    """One writer at a time across processes (several server workers or CLI runs at once)."""
    fd = os.open(jws_dir / ".lock", os.O_WRONLY | os.O_CREAT, 0o600)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        fcntl.flock(fd, fcntl.LOCK_UN)
        os.close(fd)


def _read_manifest(jws_dir: Path) -> dict | None:
    path = jws_dir / MANIFEST
    try:
        data = json.loads(path.read_text("utf-8"))
    except FileNotFoundError:
        return None
    except (ValueError, UnicodeDecodeError) as exc:
        raise KeyFileError(f"密钥清单 {path} 已损坏（不是有效的 JSON），请从备份恢复") from exc
    if not isinstance(data, dict) or data.get("current") not in {k.get("kid") for k in data.get("keys", [])}:
        raise KeyFileError(f"密钥清单 {path} 内容不完整（缺少当前密钥），请从备份恢复")
    return data


def _write_manifest(jws_dir: Path, manifest: dict) -> None:
    _write(jws_dir / MANIFEST, json.dumps(manifest, ensure_ascii=False, indent=1).encode("utf-8"))


# --- keys -----------------------------------------------------------------------------------------

def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _raw_public(key: ed25519.Ed25519PublicKey) -> bytes:
    return key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)


def _members(public_key) -> dict:
    """The RFC 7638 required members of a public key's JWK."""
    if isinstance(public_key, ec.EllipticCurvePublicKey):
        numbers = public_key.public_numbers()
        return {"crv": "P-256", "kty": "EC", "x": _b64(numbers.x.to_bytes(32, "big")),
                "y": _b64(numbers.y.to_bytes(32, "big"))}
    return {"crv": "Ed25519", "kty": "OKP", "x": _b64(_raw_public(public_key))}


def kid_of(public_key) -> str:
    """RFC 7638 thumbprint of the key, cut to KID_LENGTH characters."""
    members = json.dumps(_members(public_key), separators=(",", ":"), sort_keys=True)
    return _b64(hashlib.sha256(members.encode("ascii")).digest())[:KID_LENGTH]


def key_url(base_url: str, kid: str) -> str:
    """A badge key's absolute ``kid``: the URL that serves its JWK (one member of the JWKS)."""
    return base_url.rstrip("/") + KEY_PATH.format(kid=kid)


def short_kid(kid: str) -> str:
    """The key id in a ``kid`` that may be a ``key_url`` (the part the key files are named by)."""
    tail = kid.rstrip("/").rsplit("/", 1)[-1]
    return tail[:-5] if tail.endswith(".json") else tail


def public_jwk(kid: str, public_key) -> dict:
    alg = BADGE_ALG if isinstance(public_key, ec.EllipticCurvePublicKey) else ALG
    return {**_members(public_key), "kid": kid, "alg": alg, "use": "sig"}


def _generate(alg: str):
    return ec.generate_private_key(ec.SECP256R1()) if alg == BADGE_ALG else ed25519.Ed25519PrivateKey.generate()


def _new_key(jws_dir: Path, manifest: dict | None, algs: tuple[str, ...] = (ALG, BADGE_ALG)) -> dict:
    """New current keys of the given kinds (both unless one is missing from an older manifest)."""
    new = {"current": None, "current_badge": None, "keys": [], **(manifest or {})}
    new["keys"] = list(new["keys"])
    for alg in algs:
        key = _generate(alg)
        kid = kid_of(key.public_key())
        pem = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                serialization.NoEncryption())
        _write(jws_dir / f"{kid}.pem", pem)
        new["keys"].append({"kid": kid, "alg": alg,
                            "created": dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds")})
        new["current_badge" if alg == BADGE_ALG else "current"] = kid
    _write_manifest(jws_dir, new)  # last: a key is current only once its file is in place
    return new


_LOADED: dict[tuple, object] = {}


def _alg(manifest: dict, kid: str) -> str:
    return next((k.get("alg", ALG) for k in manifest["keys"] if k["kid"] == kid), ALG)


def _load(jws_dir: Path, kid: str, alg: str = ALG):
    path = jws_dir / f"{kid}.pem"
    try:
        stamp = (str(path.resolve()), path.stat().st_mtime_ns)
    except FileNotFoundError as exc:
        raise KeysMissing(f"签名密钥文件 {path} 不见了：请从备份恢复，或运行 callexam keys rotate 换用新密钥") from exc
    found = _LOADED.get(stamp)
    if found is None:
        try:
            found = serialization.load_pem_private_key(path.read_bytes(), None)
        except (ValueError, TypeError) as exc:
            raise KeyFileError(f"签名密钥文件 {path} 无法读取（不是未加密的 PEM 私钥）") from exc
        wanted = ec.EllipticCurvePrivateKey if alg == BADGE_ALG else ed25519.Ed25519PrivateKey
        if not isinstance(found, wanted) or (alg == BADGE_ALG and found.curve.name != "secp256r1"):
            raise KeyFileError(f"签名密钥文件 {path} 不是 {'ECDSA P-256' if alg == BADGE_ALG else 'Ed25519'} 私钥")
        if kid_of(found.public_key()) != kid:
            raise KeyFileError(f"签名密钥文件 {path} 与其密钥编号不符（文件被替换过？）")
        if len(_LOADED) > 64:
            _LOADED.clear()
        _LOADED[stamp] = found
    return found


# --- the contract ---------------------------------------------------------------------------------

def init(folder: Path) -> str:
    """The first keys, unless there are some already (an instance made before badges were ES256
    gets its badge key here); returns the current QR key id either way."""
    jws_dir = _prepare(folder)
    with _locked(jws_dir):
        manifest = _read_manifest(jws_dir)
        if manifest is None:
            manifest = _new_key(jws_dir, None)
        elif not manifest.get("current_badge"):
            manifest = _new_key(jws_dir, manifest, (BADGE_ALG,))
    return manifest["current"]


def rotate(folder: Path) -> str:
    """New current keys of both kinds; the old ones stay for verifying what they signed. Returns
    the new QR key id (``current_badge`` names the new badge key)."""
    jws_dir = _prepare(folder)
    with _locked(jws_dir):
        return _new_key(jws_dir, _read_manifest(jws_dir))["current"]


def _require(folder: Path) -> tuple[Path, dict]:
    jws_dir = _dir(folder)
    manifest = _read_manifest(jws_dir)
    if manifest is None:
        raise KeysMissing(f"没有二维码签名密钥（{jws_dir}）：请先运行 callexam keys init")
    return jws_dir, manifest


def current(folder: Path) -> tuple[str, ed25519.Ed25519PrivateKey]:
    """The key id and private key that sign QR tokens from now on."""
    jws_dir, manifest = _require(folder)
    return manifest["current"], _load(jws_dir, manifest["current"])


def current_badge(folder: Path) -> tuple[str, ec.EllipticCurvePrivateKey]:
    """The short key id and P-256 private key that sign Open Badges and the status list."""
    jws_dir, manifest = _require(folder)
    kid = manifest.get("current_badge")
    if not kid:
        raise KeysMissing(f"没有电子徽章签名密钥（ES256，{jws_dir}）：请运行 callexam keys init 补建")
    return kid, _load(jws_dir, kid, BADGE_ALG)


def listing(folder: Path) -> list[dict]:
    """Every key, newest first: kid, alg, created (ISO text), current (bool)."""
    _jws_dir, manifest = _require(folder)
    currents = {manifest["current"], manifest.get("current_badge")}
    return [{**entry, "alg": entry.get("alg", ALG), "current": entry["kid"] in currents}
            for entry in reversed(manifest["keys"])]


_JWKS: dict[tuple, list[dict]] = {}


def jwks(folder: Path, base_url: str | None = None) -> dict:
    """The public half of every key, current QR key first: what a verifier needs, offline or
    online. With ``base_url`` the badge keys' ``kid`` is their absolute ``key_url`` (what a badge's
    header names), without it the short id. Kept per process until the manifest changes."""
    jws_dir, manifest = _require(folder)
    stamp = (str(jws_dir.resolve()), (jws_dir / MANIFEST).stat().st_mtime_ns, manifest["current"], len(manifest["keys"]))
    keys = _JWKS.get(stamp)
    if keys is None:
        kids = [manifest["current"]] + [k["kid"] for k in reversed(manifest["keys"]) if k["kid"] != manifest["current"]]
        keys = [public_jwk(kid, _load(jws_dir, kid, _alg(manifest, kid)).public_key()) for kid in kids]
        if len(_JWKS) > 16:
            _JWKS.clear()
        _JWKS[stamp] = keys
    out = [dict(key) for key in keys]
    if base_url:
        for key in out:
            if key["alg"] == BADGE_ALG:
                key["kid"] = key_url(base_url, key["kid"])
    return {"keys": out}
