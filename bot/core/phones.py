"""Phone numbers: normalised to E.164, encrypted at rest, looked up by keyed hash, masked in logs."""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
import unicodedata

import phonenumbers
from cryptography.fernet import Fernet
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

WHATSAPP_PREFIX = "whatsapp:"
# Numbers Twilio sends from North America and Mexico, already E.164 with no national leading zero:
# phonenumbers returns them unchanged (a hypothesis test holds it to that), so skip its parse.
_E164 = re.compile(r"\+1[2-9][0-9]{9}|\+52[1-9][0-9]{9,10}")  # ASCII digits only: "٥" is a \d too


def split_address(address: str) -> tuple[str, str]:
    """Twilio's From ('whatsapp:+52…' or '+52…') -> (channel, E.164 phone)."""
    address = (address or "").strip()
    channel = "sms"
    if address.lower().startswith(WHATSAPP_PREFIX):
        channel, address = "whatsapp", address[len(WHATSAPP_PREFIX) :]
    return channel, normalize(address)


def normalize(raw: str) -> str:
    """E.164 form of a number, so one person is one lookup key however it was written."""
    if _E164.fullmatch(raw or ""):
        return raw
    try:
        parsed = phonenumbers.parse(raw, None)
        if phonenumbers.is_possible_number(parsed):
            return phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164)
    except phonenumbers.NumberParseException:
        pass
    digits = "".join(str(unicodedata.digit(c)) for c in raw or "" if unicodedata.digit(c, None) is not None)
    return f"+{digits}" if digits else ""


def address(channel: str, phone: str) -> str:
    """The To address Twilio expects for a channel."""
    return f"{WHATSAPP_PREFIX}{phone}" if channel == "whatsapp" else phone


def mask(phone: str | None) -> str:
    """At most the last four digits, for logs and screens."""
    digits = re.sub(r"\D", "", phone or "")
    return f"…{digits[-4:]}" if digits else "…"


def derive_key(secret: str, purpose: bytes) -> bytes:
    return HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=purpose).derive(secret.encode("utf-8"))


class PhoneVault:
    """Encrypts phones with Fernet and hashes them with HMAC-SHA256, both keyed from one secret."""

    def __init__(self, secret: str):
        if not secret:
            raise ValueError("a secret key is required to protect phone numbers")
        self._fernet = Fernet(base64.urlsafe_b64encode(derive_key(secret, b"hearingbot phone encryption")))
        self._hash_key = derive_key(secret, b"hearingbot phone lookup")
        self._pepper_key = derive_key(secret, b"hearingbot pins and codes")
        self._words = Fernet(base64.urlsafe_b64encode(derive_key(secret, b"hearingbot thread messages")))

    def encrypt(self, phone: str) -> str:
        return self._fernet.encrypt(phone.encode("utf-8")).decode("ascii")

    def decrypt(self, token: str) -> str:
        return self._fernet.decrypt(token.encode("ascii")).decode("utf-8")

    def seal(self, text: str) -> str:
        """A message a person or a volunteer wrote, encrypted with its own key (not the phones')."""
        return self._words.encrypt(text.encode("utf-8")).decode("ascii")

    def unseal(self, token: str) -> str:
        return self._words.decrypt(token.encode("ascii")).decode("utf-8")

    def pepper(self, secret: str) -> str:
        """A keyed hash of a short secret (a PIN, a one-time code): useless without the key."""
        return hmac.new(self._pepper_key, secret.encode("utf-8"), hashlib.sha256).hexdigest()

    def lookup_hash(self, phone: str) -> str:
        return hmac.new(self._hash_key, phone.encode("utf-8"), hashlib.sha256).hexdigest()
