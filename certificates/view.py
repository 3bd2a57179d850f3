"""What a certificate says, as one value every part of the certificate work shares.

The register row (``models.Certificate``), the PDF (``document.render``), the QR token
(``tokens.sign(view.fields())``), the Open Badge and the verification pages all speak about a
certificate through this dataclass, so the words printed on the paper, the words signed in the QR
code and the words shown by the register cannot drift apart.

Scores and typing speed are strings with at most one decimal ("86", "72.5", "61.3"): the token signs
a canonical JSON text, and decimal strings read the same in every language's JSON library, where a
float (86.0 versus 86) would not. Dates are ISO ``date`` objects here and ISO strings in ``fields()``.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, replace
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction

VALID, EXPIRED, REVOKED = "valid", "expired", "revoked"
STATUS_NAMES = {VALID: "有效", EXPIRED: "已过期", REVOKED: "已撤销"}

#: The signed payload's fields, in the order a person reads them (the JSON itself is key-sorted).
SIGNED_FIELDS = ("number", "holder_name", "id_masked", "level_code", "level_name", "theory_score",
                 "practical_score", "typing_cpm", "issued_on", "expires_on", "issuer")


def mask_id(number: str | None) -> str:
    """"110***********123X": the first three and last four characters, the only form of the ID
    number on a certificate or a certificate page (enough for the holder to recognise, too little
    to copy). Short or missing numbers are starred whole."""
    number = (number or "").strip()
    if len(number) <= 7:
        return "*" * len(number)
    return number[:3] + "*" * (len(number) - 7) + number[-4:]


def decimal_text(value: float | Fraction | Decimal | int | str | None) -> str:
    """One decimal at most, half up, no trailing ".0" ("86", "72.5"); "" for a missing value."""
    if value is None or value == "":
        return ""
    if isinstance(value, Fraction):
        value = Decimal(value.numerator) / Decimal(value.denominator)
    number = Decimal(str(value)).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)
    text = format(number, "f")
    return text[:-2] if text.endswith(".0") else text


@dataclass(frozen=True)
class CertificateView:
    number: str
    holder_name: str
    id_masked: str
    level_code: str
    level_name: str
    theory_score: str
    practical_score: str
    typing_cpm: str
    issued_on: dt.date
    expires_on: dt.date
    issuer: str
    status: str = VALID

    def fields(self) -> dict:
        """What the QR token and the Open Badge sign: everything but the status, which changes over
        the certificate's life (a revocation must not need the paper reprinted)."""
        out = {name: getattr(self, name) for name in SIGNED_FIELDS}
        out["issued_on"] = self.issued_on.isoformat()
        out["expires_on"] = self.expires_on.isoformat()
        return out

    @classmethod
    def from_fields(cls, fields: dict, status: str = VALID) -> "CertificateView":
        """The view a verified token describes (verification pages show a token with no register row)."""
        missing = [name for name in SIGNED_FIELDS if name not in fields]
        if missing:
            raise ValueError(f"证书数据缺少字段：{'、'.join(missing)}")
        values = {name: fields[name] for name in SIGNED_FIELDS}
        values["issued_on"] = dt.date.fromisoformat(str(fields["issued_on"]))
        values["expires_on"] = dt.date.fromisoformat(str(fields["expires_on"]))
        return cls(**values, status=status)

    def with_status(self, status: str) -> "CertificateView":
        return replace(self, status=status)

    @property
    def status_name(self) -> str:
        return STATUS_NAMES.get(self.status, self.status)

    @property
    def title(self) -> str:
        return f"呼叫服务员职业技能等级证书（{self.level_name}）"


def status_on(revoked: bool, expires_on: dt.date, today: dt.date) -> str:
    """A certificate's status on a day: revoked beats expired; valid through its expiry date."""
    if revoked:
        return REVOKED
    return EXPIRED if today > expires_on else VALID
