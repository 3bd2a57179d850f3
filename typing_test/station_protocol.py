"""Request signing shared by the exam-station agent and the server.

The agent runs on a candidate's PC, so anything it sends could be forged by someone at that desk.
Each station holds a secret key issued once at registration; every later request carries an HMAC
over the method, the path, a strictly increasing sequence number and the body's hash. The method
and path stop a signature made for one endpoint being replayed against another, the sequence
number stops a captured request being replayed at all (the server keeps the last one it accepted),
and hashing the body keeps the signed text small and unambiguous whatever the body holds.

Pure standard library on purpose: the server imports this module, and the agent must not need
anything the exam PC lacks.
"""

from __future__ import annotations

import hashlib
import hmac

CODE_HEADER = "X-Station-Code"
SEQ_HEADER = "X-Station-Seq"
SIGNATURE_HEADER = "X-Station-Signature"

REGISTER_PATH = "/api/v1/stations/register"
STATUS_PATH = "/api/v1/stations/status"
SUMMARIES_PATH = "/api/v1/stations/summaries"


def _bytes(value: str | bytes) -> bytes:
    return value if isinstance(value, bytes) else value.encode("utf-8")


def canonical(method: str | bytes, path: str | bytes, seq: int, body: bytes) -> bytes:
    """The exact bytes that are signed.

    Newline-joined because none of the four parts can contain a newline (a path with one is not a
    valid request line, the rest are a number and hex), so the split is unambiguous.
    """
    if isinstance(seq, bool) or not isinstance(seq, int):
        raise TypeError("seq must be an int")
    return b"\n".join([
        _bytes(method).upper(),
        _bytes(path),
        str(seq).encode("ascii"),
        hashlib.sha256(body or b"").hexdigest().encode("ascii"),
    ])


def sign(key_hex: str, method: str | bytes, path: str | bytes, seq: int, body: bytes) -> str:
    return hmac.new(bytes.fromhex(key_hex), canonical(method, path, seq, body), hashlib.sha256).hexdigest()


def verify(key_hex: str, method: str | bytes, path: str | bytes, seq: int, body: bytes, signature: str) -> bool:
    """Constant-time check; any malformed input is simply "not verified" so callers need no try."""
    try:
        expected = sign(key_hex, method, path, seq, body)
        given = signature.strip().lower().encode("ascii")
    except (ValueError, TypeError, AttributeError, UnicodeError):
        return False
    return hmac.compare_digest(expected.encode("ascii"), given)
