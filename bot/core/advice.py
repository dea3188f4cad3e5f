"""What the bot says about the directory (shelters, legal aid, medical care, food...) and safety, in the
person's language, two SMS segments a message.

Entries are numbered across pages ("2 Casa del Migrante: ..."), so a person can say which one is wrong
(WRONG 2). A page holds as many entries as fit; an entry that does not fit whole loses its note, then
who it takes in, then the advice after "may have changed since" ("call first"), never its name,
address, phone or when it was last checked. A shelter that takes only some people (women and
children, men...) never loses who it takes: alone on its page, it goes folded to GSM-7 rather than
without it. Only a page that has more after it ends with "Reply MORE".
"""

from __future__ import annotations

from datetime import date

from bot.core.hearing import EOIR_HOTLINE, EOIR_HOTLINE_MX
from bot.core.i18n import decimal, plural_translator, translator
from bot.core.segments import MAX_SEGMENTS, count, fit
from bot.core.services import Service


def _serves(shelter: Service, lang: str) -> str:
    _ = translator(lang)
    labels = {
        "families": _("families"),
        "women": _("women"),
        "children": _("children"),
        "men": _("men"),
        "lgbtq": _("LGBTQ+"),
    }
    if not shelter.serves:
        return _("Who it takes: not published.")
    return _("Takes: {who}.").format(who=", ".join(labels[s] for s in shelter.serves))


def _checked(shelter: Service, today: date, lang: str, advice: bool = True) -> str:
    """How recently it was checked ("checked 3 days ago"); when long ago or never, that it may have
    changed, and "call first" only when there is a number to call."""
    _ = translator(lang)
    age = shelter.age(today)
    if age is not None and not shelter.stale(today):
        if age <= 0:
            return _("Checked today.")
        ngettext = plural_translator(lang)
        return ngettext("Checked {n} day ago.", "Checked {n} days ago.", age).format(n=age)
    call = advice and bool(shelter.phone)
    if shelter.verified_at is None:
        return _("Not checked yet: call first.") if call else _("Not checked yet.")
    when = shelter.verified_at.strftime("%m/%Y")
    return (_("May have changed since {date}: call first.") if call else _("May have changed since {date}.")).format(
        date=when
    )


def _distance(km: float, approximate: bool, lang: str) -> str:
    _ = translator(lang)
    shown = decimal(km, lang) if km < 10 else f"{km:.0f}"
    return (_("about {km} km") if approximate else _("{km} km")).format(km=shown)


def _address(shelter: Service, lang: str) -> str:
    _ = translator(lang)
    return shelter.address if shelter.has_address else _("No published address")


# What an entry says, from the whole to the least: (its note, who it takes, the advice when stale).
DETAILS = ((True, True, True), (False, True, True), (False, False, True), (False, False, False))
RESTRICTED_DETAILS = ((True, True, True), (False, True, True), (False, True, False))  # who it takes stays


def entry(
    shelter: Service,
    today: date,
    lang: str,
    km: float | None = None,
    note: bool = True,
    who: bool = True,
    advice: bool = True,
    number: int | None = None,
) -> str:
    """One entry: its number, name (and distance), address, phone, when checked (and, if long ago,
    what to do); then who it takes, its note."""
    name = shelter.name + (f" ({_distance(km, shelter.approximate, lang)})" if km is not None else "")
    name = f"{number} {name}" if number is not None else name
    parts = [f"{name}: {_address(shelter, lang)}."]
    if shelter.phone:
        parts.append(f"Tel. {shelter.phone}.")
    parts.append(_checked(shelter, today, lang, advice))
    if who and (shelter.serves or shelter.kind == "shelter"):
        parts.append(_serves(shelter, lang))
    if note and (said := shelter.note(lang)):
        parts.append(said)
    return " ".join(parts)


def pages(
    found: list[tuple[Service, float | None]],
    header: str,
    today: date,
    lang: str,
    first: int = 1,
    keep_header: bool = False,
) -> list[tuple[str, int]]:
    """The entries in order, numbered from `first`, packed into messages of at most two segments:
    (text, how many entries).

    The first message has the header, unless it would cost the first shelter some of what it says
    (`keep_header`: always, when it says something that must be said, "this is not advice");
    each but the last ends saying MORE brings the next. A restricted shelter whose shortest entry
    (with who it takes) needs more goes alone; a page still over two segments in UCS-2 goes with
    its accents folded to GSM-7 (segments.fit), never losing who a shelter takes.
    """
    _ = translator(lang)
    more = _("Reply MORE for more.")
    out: list[tuple[list[str], int]] = []
    current: list[str] = [header] if header else []
    placed = 0

    def fits(lines: list[str], last: bool) -> bool:
        return count("\n".join([*lines, *([] if last else [more])])) <= MAX_SEGMENTS

    def first_fit(texts: list[str], before: list[str], last: bool) -> int:
        """How much of a shelter must go to fit after `before`: the index of its first entry that fits."""
        return next((i for i, t in enumerate(texts) if fits([*before, t], last)), len(texts))

    for i, (shelter, km) in enumerate(found):
        last = i == len(found) - 1
        details = RESTRICTED_DETAILS if shelter.restricted else DETAILS
        texts = [entry(shelter, today, lang, km, *detail, number=first + i) for detail in details]
        beside = [t for t, (_note, _who, advice) in zip(texts, details, strict=True) if advice]
        if not keep_header and current == [header] and first_fit(texts, [header], last) > first_fit(texts, [], last):
            current = []  # the header would cost the first shelter some of what it says: drop it
        # Beside others, a shelter keeps its advice ("call first"); it loses it only alone on a page.
        fitting = next((t for t in (texts if not placed else beside) if fits([*current, t], last)), None)
        if fitting is None and placed:  # it does not fit beside the others: it opens the next message
            out.append((current, placed))
            current, placed = [], 0
            fitting = next((t for t in texts if fits([t], last)), None)
        if fitting is None:  # alone and still too long: its shortest entry (a restricted one keeps who it takes)
            fitting = texts[-1]
        current.append(fitting)
        placed += 1
    if placed:
        out.append((current, placed))
    # A page still over two segments in UCS-2 (accented names and addresses) goes folded to GSM-7.
    return [(fit("\n".join(lines) + ("\n" + more if i < len(out) - 1 else "")), n) for i, (lines, n) in enumerate(out)]


def safety(lang: str) -> tuple[str, str]:
    """Numbers to call and the warnings that matter most, as two short messages."""
    _ = translator(lang)
    return (
        _(
            "Emergency: 911. Anonymous report: 089. To check your hearing: {hotline} (24 h, English or Spanish; "
            "have your A-number). From a Mexican phone: {hotline_mx}."
        ).format(hotline=EOIR_HOTLINE, hotline_mx=EOIR_HOTLINE_MX),
        _(
            "Nobody can sell you a hearing date: it is free. Never give your original papers or your relatives' "
            "numbers to strangers."
        ),
    )
