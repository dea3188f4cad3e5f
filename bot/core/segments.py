"""SMS segment counting: GSM-7 fits 160 (153 per part), anything else is UCS-2, 70 (67).

A reminder that would need more than two parts in UCS-2 is sent with its accents folded to GSM-7
(`fit`): 'sabado' in two parts rather than 'sábado' in three.
"""

import unicodedata

GSM7_BASIC = set(
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?"
    "¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà"
)
GSM7_EXTENDED = set("^{}\\[~]|€\f")


def is_gsm7(text: str) -> bool:
    return all(c in GSM7_BASIC or c in GSM7_EXTENDED for c in text)


def count(text: str) -> int:
    """How many SMS parts a message costs."""
    if is_gsm7(text):
        units = sum(2 if c in GSM7_EXTENDED else 1 for c in text)
        single, multi = 160, 153
    else:
        # UCS-2 counts UTF-16 code units: an emoji is two.
        units = len(text.encode("utf-16-le")) // 2
        single, multi = 70, 67
    if units <= single:
        return 1
    return -(-units // multi)


MAX_SEGMENTS = 2  # what every reminder costs at most, in every language (tests/test_texts.py)
_FOLD_EXTRA = {"’": "'", "‘": "'", "“": '"', "”": '"', "«": '"', "»": '"', "–": "-", "—": "-", "…": "...", "œ": "oe"}


def fold(text: str) -> str:
    """The text with each letter GSM-7 lacks written as its base letter ('sábado' -> 'sabado',
    'audiência' -> 'audiencia'); letters GSM-7 has (é è à ñ ü) are kept."""
    out = []
    for c in text:
        if c in GSM7_BASIC or c in GSM7_EXTENDED:
            out.append(c)
            continue
        base = "".join(b for b in unicodedata.normalize("NFD", c) if not unicodedata.combining(b))
        out.append(base if base and is_gsm7(base) else _FOLD_EXTRA.get(c, c))
    return "".join(out)


def fit(text: str, limit: int = MAX_SEGMENTS) -> str:
    """The text as written when it fits in `limit` segments; else folded to GSM-7 when that costs
    fewer segments (a UCS-2 part holds 67 characters, a GSM-7 part 153)."""
    if count(text) <= limit:
        return text
    folded = fold(text)
    return folded if count(folded) < count(text) else text
