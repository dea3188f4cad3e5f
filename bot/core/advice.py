"""What the bot says about shelters and safety, in the person's language, two SMS segments a message.

A page holds as many shelters as fit; a shelter that does not fit whole loses its note, then who it
takes in, never its name, address, phone or when it was last checked.
"""

from __future__ import annotations

from datetime import date

from bot.core.hearing import EOIR_HOTLINE
from bot.core.i18n import translator
from bot.core.segments import count
from bot.core.shelters import Shelter

MAX_SEGMENTS = 2


def _serves(shelter: Shelter, lang: str) -> str:
    _ = translator(lang)
    labels = {
        "families": _("families"),
        "women": _("women"),
        "children": _("children"),
        "men": _("men"),
        "lgbtq": _("LGBTQ+"),
    }
    return _("Takes: {who}.").format(who=", ".join(labels[s] for s in shelter.serves))


def _checked(shelter: Shelter, today: date, lang: str) -> str:
    _ = translator(lang)
    when = shelter.verified_at.strftime("%m/%Y")
    if shelter.stale(today):
        return _("Not checked since {date}: call first.").format(date=when)
    return _("Checked {date}.").format(date=when)


def _distance(km: float, approximate: bool, lang: str) -> str:
    _ = translator(lang)
    shown = f"{km:.1f}" if km < 10 else f"{km:.0f}"
    return (_("about {km} km") if approximate else _("{km} km")).format(km=shown)


def entry(shelter: Shelter, today: date, lang: str, km: float | None = None, detail: int = 2) -> str:
    """One shelter: name (and distance), address, phone, when checked; then who it takes, its note."""
    name = shelter.name + (f" ({_distance(km, shelter.approximate, lang)})" if km is not None else "")
    parts = [f"{name}: {shelter.address}."]
    if shelter.phone:
        parts.append(f"Tel. {shelter.phone}.")
    parts.append(_checked(shelter, today, lang))
    if detail >= 1 and shelter.serves:
        parts.append(_serves(shelter, lang))
    if detail >= 2 and (note := shelter.note(lang)):
        parts.append(note)
    return " ".join(parts)


def pages(found: list[tuple[Shelter, float | None]], header: str, today: date, lang: str) -> list[tuple[str, int]]:
    """The shelters in order, packed into messages of at most two segments: (text, how many shelters).

    The first message has the header; each but the last ends saying MORE brings the next.
    """
    _ = translator(lang)
    more = _("Reply MORE for more.")
    out: list[tuple[list[str], int]] = []
    current: list[str] = [header] if header else []
    placed = 0
    for shelter, km in found:
        texts = [entry(shelter, today, lang, km, detail) for detail in (2, 1, 0)]
        if current == [header] and count("\n".join([header, texts[-1], more])) > MAX_SEGMENTS:
            current = []  # the header would push the first shelter past two segments: drop it
        fitting = next((t for t in texts if count("\n".join([*current, t, more])) <= MAX_SEGMENTS), None)
        if fitting is None and placed:  # it does not fit beside the others: it opens the next message
            out.append((current, placed))
            current, placed = [], 0
            fitting = next((t for t in texts if count("\n".join([t, more])) <= MAX_SEGMENTS), texts[-1])
        current.append(fitting or texts[-1])
        placed += 1
    if placed:
        out.append((current, placed))
    return [("\n".join(lines) + ("\n" + more if i < len(out) - 1 else ""), n) for i, (lines, n) in enumerate(out)]


def safety(lang: str) -> tuple[str, str]:
    """Numbers to call and the warnings that matter most, as two short messages."""
    _ = translator(lang)
    return (
        _("Emergency: 911. Anonymous report: 089. To confirm your hearing: {hotline} (24 h).").format(
            hotline=EOIR_HOTLINE
        ),
        _(
            "Nobody can charge you for a hearing date. Never hand over your original papers. "
            "Do not give your relatives' numbers to strangers."
        ),
    )
