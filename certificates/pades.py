"""The certificate PDF's own signature: PAdES, so any PDF reader can tell whether it was changed.

The signature is a *certification* signature with DocMDP "no changes allowed": a reader (Acrobat,
Foxit, poppler's ``pdfsig``) reports the document as altered after any later change, including an
incremental update that leaves the signed bytes untouched. No timestamp server and no OCSP are
contacted (an exam room may have no internet): the signing time is the signer's claim, and trust
comes from the roots in ``pki.trust_roots``.

The QR token travels inside the signed revision twice: in the document information
(``/CallexamToken``, written by ``document.render``) and as an attached file
``certificate-token.jws``, so a verifier reads it without decoding the QR image.
"""

from __future__ import annotations

import asyncio
import io
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

from . import pki

FIELD = "证书签名"
ATTACHMENT = "certificate-token.jws"
INFO_KEY = "/CallexamToken"
#: Bytes kept for the CMS signature: an ECDSA P-256 signature with two certificates is ~1.6 kB,
#: an RSA-4096 organisation chain of four certificates under 7 kB.
RESERVED = 8192


@dataclass(frozen=True)
class PdfCheck:
    signed: bool          # carries a signature at all
    intact: bool          # the signed bytes hash to what was signed, and the signature is genuine
    whole_document: bool  # nothing was appended after the signature (the signature covers the file)
    certified: bool       # a certification (DocMDP) signature, not an ordinary approval one
    trusted: bool         # the signer's certificate chains to one of this instance's roots
    signer: str           # the signer certificate's common name ("" when unsigned)
    message: str          # one sentence in Chinese for the pages and the CLI

    @property
    def ok(self) -> bool:
        return self.signed and self.intact and self.whole_document and self.trusted


def _token_from_rendering(pdf: bytes, reader=None) -> str | None:
    """The token ``document.render`` wrote in the document information, if any."""
    from pyhanko.pdf_utils.reader import PdfFileReader

    try:
        reader = reader or PdfFileReader(io.BytesIO(pdf), strict=False)
        info = reader.trailer_view.get("/Info")
        value = info.get_object().get(INFO_KEY) if info is not None else None
    except Exception:  # noqa: BLE001 - an unreadable file simply has no token
        return None
    return str(value) if value is not None else None


def sign(pdf: bytes, folder: Path) -> bytes:
    """Certify ``pdf`` with the instance's document-signing key (see ``pki``)."""
    from pyhanko.pdf_utils import embed
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
    from pyhanko.sign import signers
    from pyhanko.sign.fields import MDPPerm, SigSeedSubFilter

    signer = pki.signer(folder)
    writer = IncrementalPdfFileWriter(io.BytesIO(pdf), strict=False)
    token = _token_from_rendering(pdf, writer.prev)  # the writer's own parse, not a second one
    if token:
        data = embed.EmbeddedFileObject.from_file_data(writer, data=token.encode("ascii"),
                                                       mime_type="application/jose")
        embed.embed_file(writer, embed.FileSpec(
            file_spec_string=ATTACHMENT, file_name=ATTACHMENT, embedded_data=data,
            description="二维码中的签名令牌（JWS，可离线核验）"))
    meta = signers.PdfSignatureMetadata(
        field_name=FIELD, certify=True, docmdp_permissions=MDPPerm.NO_CHANGES,
        subfilter=SigSeedSubFilter.PADES, md_algorithm="sha256",
        reason="职业技能等级证书：发证机构认证，签名后任何改动都会使签名失效",
        location="callexam")
    # Reserving the space up front skips pyHanko's dry-run signature (40 % of the signing time).
    return _run(lambda: signers.async_sign_pdf(writer, meta, signer=signer, bytes_reserved=RESERVED)).getvalue()


def _run(make_coroutine):
    """pyHanko's signing and validation are coroutines; its blocking wrappers call ``asyncio.run``,
    which fails in a thread whose event loop is already running (an async server, a notebook,
    Playwright's sync API in the same test process). Such a caller gets the work on a thread of its own."""
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return asyncio.run(make_coroutine())
    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(lambda: asyncio.run(make_coroutine())).result()


def _common_name(cert) -> str:
    try:
        return cert.subject.native.get("common_name", "") or cert.subject.human_friendly
    except Exception:  # noqa: BLE001
        return ""


def check(pdf: bytes, folder: Path) -> PdfCheck:
    """What a careful PDF reader would say about ``pdf``, against this instance's roots."""
    from pyhanko.pdf_utils.reader import PdfFileReader
    from pyhanko.sign.validation import async_validate_pdf_signature
    from pyhanko_certvalidator import ValidationContext
    from pyhanko.sign.validation.status import SignatureCoverageLevel

    def result(**kw) -> PdfCheck:
        base = dict(signed=False, intact=False, whole_document=False, certified=False,
                    trusted=False, signer="", message="")
        return PdfCheck(**{**base, **kw})

    try:
        reader = PdfFileReader(io.BytesIO(pdf), strict=False)
        signatures = reader.embedded_signatures
    except Exception:  # noqa: BLE001 - any parse failure means a damaged or foreign file
        return result(message="无法读取该 PDF：文件已损坏或不是 PDF。")
    if not signatures:
        return result(message="该 PDF 没有数字签名。")
    sig = signatures[0]
    certified, name = False, ""
    try:
        certified = sig.docmdp_level is not None
        name = _common_name(sig.signer_cert)
        context = ValidationContext(trust_roots=pki.trust_roots(folder), allow_fetching=False,
                                    revocation_mode="soft-fail")
        status = _run(lambda: async_validate_pdf_signature(sig, context))
    except pki.PkiError:
        raise
    except Exception as exc:  # noqa: BLE001 - a damaged signature dictionary or CMS blob
        return result(signed=True, certified=certified, signer=name,
                      message=f"签名无法校验：签名数据已损坏（{type(exc).__name__}）。")
    intact = bool(status.intact and status.valid)
    whole = status.coverage == SignatureCoverageLevel.ENTIRE_FILE and len(signatures) == 1
    trusted = bool(status.trusted)
    if not intact:
        message = "签名与文件内容不符：文件在签名后被改动过。"
    elif not whole:
        message = "签名之后文件又被追加修改（增量更新），当前内容已不是签发时的证书。"
    elif not certified:
        message = "签名完好，但不是发证机构的认证签名。"
    elif not trusted:
        message = f"签名完好，但签名证书（{name}）不是本系统信任的根证书签发的。"
    else:
        message = f"签名有效：文件自签发后未被改动，签名人：{name}。"
    return result(signed=True, intact=intact, whole_document=whole, certified=certified,
                  trusted=trusted, signer=name, message=message)


def extract_token(pdf: bytes) -> str | None:
    """The QR token from the attachment, else from the document information; None if neither."""
    from pyhanko.pdf_utils.reader import PdfFileReader

    try:
        reader = PdfFileReader(io.BytesIO(pdf), strict=False)
        names = reader.root.get("/Names")
        files = names.get_object().get("/EmbeddedFiles") if names is not None else None
        if files is not None:
            pairs = files.get_object().get("/Names") or []
            for i in range(0, len(pairs) - 1, 2):
                if str(pairs[i]) == ATTACHMENT:
                    stream = pairs[i + 1].get_object()["/EF"]["/F"].get_object()
                    return stream.data.decode("ascii").strip()
    except Exception:  # noqa: BLE001 - fall back to the document information
        return _token_from_rendering(pdf)
    return _token_from_rendering(pdf, reader)
