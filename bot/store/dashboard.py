"""The console's figures: people by city and language, what is coming, what failed, and a chart."""

from __future__ import annotations

from datetime import datetime, timedelta
from xml.sax.saxutils import escape

from sqlite_utils import Database

from bot.core.clock import iso


def N_(message: str) -> str:  # noqa: N802 - marks a msgid for extraction; translated where shown
    return message


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
    """Counts for the dashboard, all from indexed queries."""
    one = lambda sql, *p: db.execute(sql, p).fetchone()[0]  # noqa: E731
    consented = "consent_at IS NOT NULL AND opted_out_at IS NULL"
    return {
        "people": one(f"SELECT count(*) FROM contacts WHERE {consented}"),
        "by_city": db.execute(
            f"SELECT COALESCE(city, '-'), count(*) FROM contacts WHERE {consented} GROUP BY 1 ORDER BY 2 DESC"
        ).fetchall(),  # fmt: skip
        "by_lang": db.execute(
            f"SELECT COALESCE(lang, '-'), count(*) FROM contacts WHERE {consented} GROUP BY 1 ORDER BY 2 DESC"
        ).fetchall(),  # fmt: skip
        "hearings_7d": one(
            "SELECT count(*) FROM hearings WHERE status = 'active' AND hearing_at >= ? AND hearing_at < ?",
            iso(now),
            iso(now + timedelta(days=7)),
        ),  # fmt: skip
        "due_24h": one(
            "SELECT count(*) FROM outbox WHERE status = 'pending' AND send_at < ?", iso(now + timedelta(hours=24))
        ),  # fmt: skip
        "failed_24h": one(
            "SELECT count(*) FROM outbox WHERE status IN ('failed', 'undelivered') AND updated_at >= ?",
            iso(now - timedelta(hours=24)),
        ),  # fmt: skip
    }


def daily(db: Database, now: datetime, days: int = 30) -> list[tuple[str, int, int, int]]:
    """(day, sent, delivered, failed) for each of the last `days` days, by the row's last update."""
    start = (now - timedelta(days=days - 1)).date()
    found = {
        day: (sent, delivered, failed)
        for day, sent, delivered, failed in db.execute(
            "SELECT substr(updated_at, 1, 10) AS day, "
            "sum(status IN ('sent', 'delivered', 'read', 'undelivered', 'failed')), "
            "sum(status IN ('delivered', 'read')), sum(status IN ('failed', 'undelivered')) "
            "FROM outbox WHERE updated_at >= ? GROUP BY day",
            [start.isoformat()],
        )
    }
    out = []
    for i in range(days):
        day = (start + timedelta(days=i)).isoformat()
        out.append((day, *found.get(day, (0, 0, 0))))
    return out


def chart_svg(series: list[tuple[str, int, int, int]], labels: dict[str, str]) -> str:
    """Grouped bars, drawn here as SVG: no script, no CDN, works offline and under a strict CSP."""
    width, height, left, bottom = 640, 220, 36, 24
    top = max([1] + [max(s, d, f) for _, s, d, f in series])
    slot = (width - left) / len(series)
    bar = max(1.0, slot / 4)
    colors = (("sent", "#4a6fa5"), ("delivered", "#3c8d5a"), ("failed", "#c0392b"))
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height + 20}" role="img" '
             f'aria-label="{escape(labels["title"])}" class="chart">']  # fmt: skip
    for n in (0, top):
        y = height - bottom - (height - bottom - 10) * n / top
        parts.append(f'<text x="2" y="{y + 4:.0f}" font-size="10">{n}</text>')
    for i, (day, *values) in enumerate(series):
        x0 = left + i * slot
        for j, ((_, color), value) in enumerate(zip(colors, values, strict=True)):
            h = (height - bottom - 10) * value / top
            parts.append(f'<rect x="{x0 + j * bar:.1f}" y="{height - bottom - h:.1f}" width="{bar:.1f}" '
                         f'height="{h:.1f}" fill="{color}"><title>{day} {escape(labels[colors[j][0]])}: {value}'
                         "</title></rect>")  # fmt: skip
        if i % 7 == 0:
            parts.append(f'<text x="{x0:.0f}" y="{height - 6}" font-size="10">{day[5:]}</text>')
    for j, (key, color) in enumerate(colors):
        parts.append(
            f'<rect x="{left + j * 120}" y="{height + 6}" width="10" height="10" fill="{color}"/>'
            f'<text x="{left + j * 120 + 14}" y="{height + 15}" font-size="11">{escape(labels[key])}</text>'
        )
    parts.append("</svg>")
    return "".join(parts)
