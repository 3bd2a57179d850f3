"""``callexam certificates verify`` as HR runs it: the installed console script in a subprocess on a
fresh instance. Without keys or a register it says it cannot verify (exit 4), never "forged";
malformed and tampered files get a verdict line on stdout and no traceback; a badge ``.jwt`` and a
photo of the certificate (PNG, the QR code read by zxing-cpp) are checked like the PDF."""

from __future__ import annotations

import datetime as dt
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from certificates import badge, document, jws_keys, pades, pki, tokens
from certificates.view import CertificateView

TODAY = dt.date.today()
VIEW = CertificateView(number="HJ-2026-C-000001", holder_name="陈\U0002CC56", id_masked="110***********123X",
                       level_code="junior", level_name="初级", theory_score="86", practical_score="72.5",
                       typing_cpm="61", issued_on=TODAY - dt.timedelta(days=10),
                       expires_on=TODAY + dt.timedelta(days=1000), issuer="callexam 演示考点")
CALLEXAM = Path(sys.executable).with_name("callexam")


@pytest.fixture(scope="module")
def files(tmp_path_factory):
    root = tmp_path_factory.mktemp("cli")
    keys = root / "issuer" / "keys"
    jws_keys.init(keys)
    pki.init(keys)
    token = tokens.sign(VIEW.fields(), keys)
    pdf = pades.sign(document.render(VIEW, token, f"https://exam.example.cn/verify?t={token}"), keys)
    out = {"issuer": root / "issuer", "good.pdf": pdf, "badge.jwt": badge.signed(VIEW, keys, "https://exam.example.cn").encode()}
    flipped = bytearray(pdf)
    flipped[len(pdf) // 3] ^= 0x01
    out["flipped.pdf"] = bytes(flipped)
    out["truncated.pdf"] = pdf[:4000]
    out["garbage.json"] = b'{"jwt": "not.a.token"'
    out["noise.png"] = b"\x89PNG\r\n\x1a\n" + os.urandom(200)
    if shutil.which("pdftoppm"):
        (root / "good.pdf").write_bytes(pdf)
        subprocess.run(["pdftoppm", "-png", "-r", "110", "-singlefile", str(root / "good.pdf"), str(root / "photo")],
                       check=True)
        out["photo.png"] = (root / "photo.png").read_bytes()
    for name, data in list(out.items()):
        if isinstance(data, bytes):
            (root / name).write_bytes(data)
    out["root"] = root
    return out


def run(instance: Path, path: Path, *args):
    assert CALLEXAM.exists(), "callexam 控制台脚本未安装（make venv）"
    env = {**os.environ, "CALLEXAM_INSTANCE": str(instance), "DATABASE_URL": f"sqlite:///{instance / 'none.db'}"}
    return subprocess.run([str(CALLEXAM), "certificates", "verify", str(path), *args], capture_output=True,
                          text=True, env=env, timeout=120)


def verdict(result) -> str:
    [line] = [l for l in result.stdout.splitlines() if l.startswith("结论：")]
    return line


def test_without_keys_or_register_it_cannot_verify_and_never_says_forged(files, tmp_path):
    for name in ("good.pdf", "badge.jwt"):
        result = run(tmp_path / "fresh", files["root"] / name)
        assert result.returncode == 4, result.stdout + result.stderr
        assert verdict(result).startswith("结论：无法核验") and "伪造的令牌" not in result.stdout
        assert "Traceback" not in result.stderr


@pytest.mark.parametrize("name", ["flipped.pdf", "truncated.pdf", "garbage.json", "noise.png"])
def test_malformed_and_tampered_files_get_a_verdict_and_no_traceback(files, name):
    result = run(files["issuer"], files["root"] / name)
    assert result.returncode == 1, result.stdout + result.stderr
    assert "未通过" in verdict(result) or "：" in verdict(result)
    assert "Traceback" not in result.stderr and "Traceback" not in result.stdout


def test_the_issuing_instance_accepts_the_pdf_the_badge_and_a_photo(files):
    for name in ("good.pdf", "badge.jwt", "photo.png"):
        if name not in files:
            pytest.fail("pdftoppm (poppler-utils) 未安装：请运行 make system-deps")
        result = run(files["issuer"], files["root"] / name, "--offline")
        assert result.returncode == 0, result.stdout + result.stderr
        assert verdict(result) == "结论：证书真实有效" and "Traceback" not in result.stderr
