"""The console's figures: people by city and language, what is coming, what failed, and a chart."""

from __future__ import annotations

from collections import Counter
from datetime import datetime, timedelta

from sqlite_utils import Database

from bot.core.clock import iso
from bot.core.i18n import N_
from bot.core.phones import PhoneVault, mask
from bot.core.status import NOT_REACHED, OUT, REACHED, sql_list
from bot.store.db import rows

# Twilio's error codes in plain words, for the message log (Twilio's error pages).
TWILIO_ERRORS = {
    "20429": N_("Twilio was busy; tried again later."),
    "21610": N_("The person sent STOP to Twilio: opted out."),
    "30003": N_("The phone was off or out of reach; tried again later."),
    "30005": N_("The number does not exist."),
    "30006": N_("A landline, or a number that cannot get SMS."),
    "30036": N_("Too long in Twilio's queue: no longer useful."),
    "63014": N_("The person blocked us on WhatsApp."),
    "63016": N_("WhatsApp window closed: sent as the template."),
}


# Why the bot itself did not send a row (outbox.reason), in plain words.
REASONS = {
    "opted_out": N_("The person said STOP: not sent."),
    "unreachable": N_("The number cannot be reached: not sent."),
    "hearing_changed": N_("The hearing changed: nothing sent for the old date."),
    "broadcast_cancelled": N_("The alert was cancelled: not sent."),
    "render_error": N_("Could not be written (check places.json): this one failed, the others went."),
    "internal_error": N_("An error in the bot: this one failed, the others went. See the logs."),
}


def explain(code: str | None, reason: str | None = None) -> str:
    """The msgid that explains a Twilio code or our reason ('' for none, a generic one for others)."""
    if code:
        return TWILIO_ERRORS.get(str(code), N_("Other Twilio error: see its error page."))
    if reason:
        return REASONS.get(reason, N_("Not sent: no longer wanted."))
    return ""


def figures(db: Database, now: datetime) -> dict:
    """Counts for the dashboard, each from an index (m011): none reads every contact or message.

    People by city and by language come from one pass over idx_contacts_consented. Outbox rows past
    'pending' are found through idx_outbox_done: the term `status != 'pending'` is written as is,
    because SQLite uses a partial index only for the very term it was built with."""
    one = lambda sql, *p: db.execute(sql, p).fetchone()[0]  # noqa: E731
    by_city: Counter[str] = Counter()
    by_lang: Counter[str] = Counter()
    for city, lang, n in db.execute(
        "SELECT city, lang, count(*) FROM contacts WHERE consent_at IS NOT NULL AND opted_out_at IS NULL "
        "GROUP BY city, lang"
    ):
        by_city[city or "-"] += n
        by_lang[lang or "-"] += n
    return {
        "people": sum(by_city.values()),
        "by_city": _most_first(by_city),
        "by_lang": _most_first(by_lang),
        "hearings_7d": one(
            "SELECT count(*) FROM hearings WHERE status = 'active' AND hearing_at >= ? AND hearing_at < ?",
            iso(now),
            iso(now + timedelta(days=7)),
        ),
        "due_24h": one(
            "SELECT count(*) FROM outbox WHERE status = 'pending' AND send_at < ?", iso(now + timedelta(hours=24))
        ),
        "failed_24h": one(
            f"SELECT count(*) FROM outbox WHERE status != 'pending' AND status IN {sql_list(NOT_REACHED)} "
            "AND updated_at >= ?",
            iso(now - timedelta(hours=24)),
        ),
    }


def _most_first(counts: Counter[str]) -> list[tuple[str, int]]:
    """(key, count), the largest first (ties by key)."""
    return sorted(counts.items(), key=lambda item: (-item[1], item[0]))


def daily(db: Database, now: datetime, days: int = 30) -> list[tuple[str, int, int, int]]:
    """(day, sent, delivered, failed) for each of the last `days` days, by the row's last update.

    Pending rows count in none of the three: only the others are read, from idx_outbox_done alone."""
    start = (now - timedelta(days=days - 1)).date()
    found = {
        day: (sent, delivered, failed)
        for day, sent, delivered, failed in db.execute(
            "SELECT substr(updated_at, 1, 10) AS day, "
            f"sum(status IN {sql_list(OUT)}), sum(status IN {sql_list(REACHED)}), "
            f"sum(status IN {sql_list(NOT_REACHED)}) "
            "FROM outbox WHERE status != 'pending' AND updated_at >= ? GROUP BY day",
            [start.isoformat()],
        )
    }
    out = []
    for i in range(days):
        day = (start + timedelta(days=i)).isoformat()
        out.append((day, *found.get(day, (0, 0, 0))))
    return out


def message_log(db: Database, vault: PhoneVault, limit: int) -> list[dict]:
    """The latest messages past `pending`, newest first: phones masked (only the `limit` rows shown are
    decrypted), each failure explained. Read newest first from idx_outbox_done (its very term,
    `status != 'pending'`), `limit` rows only."""
    found = rows(
        db,
        "SELECT o.id, o.kind, o.channel, o.status, o.sid, o.error_code, o.reason, o.sent_as, o.updated_at, "
        "o.attempts, COALESCE(o.to_enc, c.phone_enc) AS phone_enc FROM outbox o "
        "LEFT JOIN contacts c ON c.id = o.contact_id WHERE o.status != 'pending' ORDER BY o.updated_at DESC LIMIT ?",
        [limit],
    )
    for r in found:
        phone_enc = r.pop("phone_enc")
        r["to"] = mask(vault.decrypt(phone_enc)) if phone_enc else "…"
        r["why"] = explain(r["error_code"], r["reason"])
    return found


def people(db: Database, vault: PhoneVault, now: datetime, limit: int) -> list[dict]:
    """The newest people first, with their next active hearing and its court; phones masked.

    Only the `limit` rows returned are decrypted: the page shows every one of them."""
    found = rows(
        db,
        "SELECT c.id, c.phone_enc, c.channel, c.lang, c.city, c.court, c.state, c.opted_out_at, c.unreachable_at, "
        "c.calls_at, "
        "h.hearing_at AS next_hearing, h.court AS hearing_court FROM contacts c "
        "LEFT JOIN hearings h ON h.id = (SELECT id FROM hearings WHERE contact_id = c.id AND status = 'active' "
        "AND hearing_at > ? ORDER BY hearing_at LIMIT 1) ORDER BY c.id DESC LIMIT ?",
        [iso(now), limit],
    )
    for r in found:
        r["to"] = mask(vault.decrypt(r.pop("phone_enc")))
    return found
