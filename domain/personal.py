"""Personal data (PIPL): validation, masking and salted commitments that stand in for it."""

from __future__ import annotations

import hashlib
import re
import unicodedata
from dataclasses import dataclass

from domain.errors import ValidationFailed

_PHONE = re.compile(r"^\+?[0-9]{5,15}$")
_ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_ID_CHECK = "10X98765432"


def normalise_phone(raw: str) -> str:
    phone = re.sub(r"[\s\-()]", "", unicodedata.normalize("NFKC", raw))
    if not _PHONE.fullmatch(phone):
        raise ValidationFailed("phone must be 5 to 15 digits", field="complainant.phone")
    return phone


def normalise_id_number(raw: str) -> str:
    """A PRC resident identity number (GB 11643): 17 digits and a checksum digit or X."""
    value = unicodedata.normalize("NFKC", raw).strip().upper()
    if not re.fullmatch(r"[0-9]{17}[0-9X]", value):
        raise ValidationFailed(
            "ID number must be 17 digits and a check digit", field="complainant.idNumber"
        )
    total = sum(int(d) * w for d, w in zip(value[:17], _ID_WEIGHTS, strict=True))
    if _ID_CHECK[total % 11] != value[17]:
        raise ValidationFailed("ID number check digit is wrong", field="complainant.idNumber")
    return value


@dataclass(frozen=True, slots=True)
class Identity:
    """Who complained. Stored apart from the complaint so it can be masked and erased."""

    name: str
    phone: str
    id_number: str | None = None

    @classmethod
    def parse(cls, *, name: str, phone: str, id_number: str | None) -> Identity:
        clean_name = unicodedata.normalize("NFKC", name).strip()
        if not clean_name or len(clean_name) > 100:
            raise ValidationFailed("name must be 1 to 100 characters", field="complainant.name")
        return cls(
            name=clean_name,
            phone=normalise_phone(phone),
            id_number=normalise_id_number(id_number) if id_number else None,
        )

    def commitments(self, salt: bytes) -> dict[str, str | None]:
        """Salted SHA-256 per field: proves a value later without the log ever holding it."""
        return {
            "name": commit(salt, "name", self.name),
            "phone": commit(salt, "phone", self.phone),
            "idNumber": commit(salt, "idNumber", self.id_number) if self.id_number else None,
        }


def commit(salt: bytes, field: str, value: str) -> str:
    """sha256(salt || field || 0x00 || utf8(value)), hex. Documented in docs/audit-format.md."""
    return hashlib.sha256(salt + field.encode() + b"\x00" + value.encode()).hexdigest()


def mask_name(name: str) -> str:
    return name[:1] + "*" * max(len(name) - 1, 1)


def mask_phone(phone: str) -> str:
    if len(phone) > 7:
        return phone[:3] + "*" * (len(phone) - 7) + phone[-4:]
    return "*" * (len(phone) - 4) + phone[-4:]


def mask_id_number(id_number: str) -> str:
    return id_number[:4] + "*" * (len(id_number) - 8) + id_number[-4:]
