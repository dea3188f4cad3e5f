"""The schema's migrations (sqlite-utils 4's built-in Migrations), one decorated function each,
applied in order by bot.store.db.migrate(); never edit one that has shipped, add the next."""

from __future__ import annotations

from sqlite_utils import Database, Migrations

from bot.core.clock import iso, utcnow
from bot.store.db import rows, update

migrations = Migrations("hearingbot")


@migrations()
def m001_contacts_hearings_inbound_outbox(db: Database) -> None:
    # One row per (channel, phone): the phone only as a keyed hash and a Fernet token.
    db.table("contacts").create(
        {
            "id": int,
            "channel": str,
            "phone_hash": str,
            "phone_enc": str,
            "lang": str,
            "city": str,
            "court": str,
            "state": str,
            "state_data": str,
            "consent_at": str,
            "consent_method": str,
            "opted_out_at": str,
            "last_inbound_at": str,
            "created_at": str,
            "updated_at": str,
        },
        pk="id",
        not_null={"channel", "phone_hash", "phone_enc", "state", "created_at"},
    )
    db.table("contacts").create_index(["channel", "phone_hash"], unique=True)
    # A hearing is a UTC instant plus the court's IANA zone it was given in.
    db.table("hearings").create(
        {
            "id": int,
            "contact_id": int,
            "hearing_at": str,
            "court_zone": str,
            "court": str,
            "city": str,
            "city_zone": str,
            "status": str,
            "created_at": str,
        },
        pk="id",
        foreign_keys=[("contact_id", "contacts", "id")],
        not_null={"contact_id", "hearing_at", "court_zone", "status"},
    )
    db.table("hearings").create_index(["contact_id", "status"])
    # Dedupe of Twilio's retries: the answer given to each MessageSid, never the body.
    db.table("inbound").create(
        {"sid": str, "contact_id": int, "replies": str, "received_at": str},
        pk="sid",
    )
    db.table("inbound").create_index(["contact_id"])
    db.table("inbound").create_index(["received_at"])
    # The outbox: every message the bot will send on its own (reminders, alerts).
    db.table("outbox").create(
        {
            "id": int,
            "contact_id": int,
            "hearing_id": int,
            "channel": str,
            "to_enc": str,
            "kind": str,
            "slot": str,
            "lang": str,
            "body": str,
            "send_at": str,
            "hearing_at": str,
            "status": str,
            "sid": str,
            "error_code": str,
            "attempts": int,
            "created_at": str,
            "updated_at": str,
        },
        pk="id",
        not_null={"channel", "to_enc", "kind", "lang", "body", "send_at", "status"},
        defaults={"attempts": 0},
    )
    db.table("outbox").create_index(["status", "send_at"])
    db.table("outbox").create_index(["contact_id"])


@migrations()
def m002_hearing_report_at(db: Database) -> None:
    # The time to be at the port (UTC), when the person's paper gives one; the zone is court_zone.
    db.table("hearings").add_column("report_at", str)


@migrations()
def m003_reminders_delivery_lease(db: Database) -> None:
    # Reminders: one row per (hearing, slot, hearing time), so planning twice adds nothing. Their
    # text and number are taken from the hearing and the contact when sent (scheduler/dispatcher):
    # the row says when, the person's current language, port time and number say what and where.
    outbox = db.table("outbox")
    outbox.transform(not_null={"to_enc": False, "body": False})
    outbox.add_column("priority", int)  # 0 hearing-day wake-up, 1 reminders, 2 alerts: lowest first
    outbox.add_column("expires_at", str)  # never sent after this (UTC); sets Twilio's validity_period
    outbox.add_column("sent_as", str)  # text, template (WhatsApp outside 24 h) or sms (no template)
    outbox.add_column("template_vars", str)  # JSON for a WhatsApp template's content_variables
    outbox.add_column("force_template", int)  # 63016: WhatsApp said the window is closed
    outbox.create_index(["hearing_id", "slot", "hearing_at"], unique=True)
    # Partial indexes, so planning 100,000 hearings writes few index entries: the dispatcher looks for
    # pending rows by time; callbacks look rows up by SID once sent; a person's reminders are found
    # through their hearings (the unique index above), other messages (alerts) by contact.
    db.execute("DROP INDEX idx_outbox_status_send_at")
    db.execute("DROP INDEX idx_outbox_contact_id")
    db.execute("CREATE INDEX idx_outbox_due ON outbox (send_at) WHERE status = 'pending'")
    db.execute("CREATE INDEX idx_outbox_sid ON outbox (sid) WHERE sid IS NOT NULL")
    db.execute("CREATE INDEX idx_outbox_alerts ON outbox (contact_id) WHERE hearing_id IS NULL")
    # Why a number gets nothing more: 30005/30006 (unknown, landline), 63014 (blocked on WhatsApp).
    db.table("contacts").add_column("unreachable_at", str)
    db.table("contacts").add_column("unreachable_code", str)
    # One scheduler sends: the holder of this lease, renewed every tick, taken over when it expires.
    db.table("leases").create({"name": str, "holder": str, "expires_at": str}, pk="name")


@migrations()
def m004_shelters(db: Database) -> None:
    # The live shelter list; it became the directory of services in m015.
    db.table("shelters").create(
        {
            "id": int,
            "position": int,
            "city": str,
            "name": str,
            "address": str,
            "phone": str,
            "latitude": float,
            "longitude": float,
            "approximate": int,
            "serves": str,
            "notes": str,
            "verified_at": str,
            "source": str,
        },
        pk="id",
        not_null={"city", "name", "address", "latitude", "longitude", "verified_at", "source"},
    )
    db.table("shelters").create_index(["city", "position"])
    # (Seeded by m015, once the table is the directory: data/services.csv has every kind.)


@migrations()
def m005_broadcasts_staff_audit(db: Database) -> None:
    # Volunteers and operators. A volunteer's phone is stored like a person's (hash + Fernet token);
    # the PIN only as a salted hash; three wrong PINs lock the phone path for an hour.
    db.table("staff").create(
        {
            "id": int,
            "name": str,
            "role": str,
            "lang": str,
            "phone_hash": str,
            "phone_enc": str,
            "pin_hash": str,
            "failed_pins": int,
            "locked_until": str,
            "created_at": str,
        },
        pk="id",
        not_null={"name", "role", "created_at"},
        defaults={"failed_pins": 0},
    )
    db.table("staff").create_index(["name"], unique=True)
    db.table("staff").create_index(["phone_hash"])
    # A broadcast: texts per language, a target, its author and how it went; its messages are
    # outbox rows (kind 'broadcast'), one per person (the unique index below).
    db.table("broadcasts").create(
        {
            "id": int,
            "author": str,
            "via": str,
            "target": str,
            "texts": str,
            "fallback": str,
            "status": str,
            "people": int,
            "queued": int,
            "pin_until": str,
            "created_at": str,
            "sent_at": str,
            "cancelled_at": str,
        },
        pk="id",
        not_null={"author", "via", "target", "texts", "status", "created_at"},
    )
    db.table("outbox").add_column("broadcast_id", int)
    db.execute(
        "CREATE UNIQUE INDEX idx_outbox_broadcast ON outbox (broadcast_id, contact_id) WHERE broadcast_id IS NOT NULL"
    )
    # Who did what, when: broadcasts sent and cancelled, staff added (and, later, console edits).
    db.table("audit").create(
        {"id": int, "at": str, "actor": str, "action": str, "details": str}, pk="id", not_null={"at", "actor", "action"}
    )
    db.table("audit").create_index(["at"])


@migrations()
def m006_staff_console(db: Database) -> None:
    # Console logins: a password hash (scrypt), a disabled flag, and a lockout after wrong passwords.
    staff = db.table("staff")
    staff.add_column("password_hash", str)
    staff.add_column("disabled_at", str)
    staff.add_column("failed_logins", int, not_null_default=0)
    staff.add_column("login_locked_until", str)


@migrations()
def m007_retention(db: Database) -> None:
    # A person silent for months gets a goodbye first; a day later everything about them is erased.
    db.table("contacts").add_column("goodbye_at", str)
    db.table("contacts").create_index(["last_inbound_at"])
    db.table("hearings").create_index(["hearing_at"])
    db.table("outbox").create_index(["broadcast_id"])


@migrations()
def m008_one_person_per_phone(db: Database) -> None:
    # A person is a phone number, whatever channel it writes from: one contact per phone_hash. It
    # remembers the channels it used, when it last wrote on each (WhatsApp's 24-hour window), and
    # `channel` becomes the preferred one: the last it wrote from.
    # Sending is proven row by row: who claimed a row, when it was handed to Twilio, and why a row
    # was cancelled or failed without Twilio (opted_out, erased, hearing_changed, render_error, ...).
    outbox = db.table("outbox")
    outbox.add_column("claimed_by", str)
    outbox.add_column("handed_at", str)
    outbox.add_column("reason", str)
    db.execute("CREATE INDEX idx_outbox_sending ON outbox (claimed_by) WHERE status = 'sending'")
    contacts = db.table("contacts")
    contacts.add_column("channels", str)
    contacts.add_column("last_sms_at", str)
    contacts.add_column("last_whatsapp_at", str)
    db.execute("UPDATE contacts SET channels = channel")
    for channel in ("sms", "whatsapp"):
        db.execute(f"UPDATE contacts SET last_{channel}_at = last_inbound_at WHERE channel = ?", [channel])
    for (phone_hash,) in db.execute(
        "SELECT phone_hash FROM contacts GROUP BY phone_hash HAVING count(*) > 1"
    ).fetchall():
        _merge_contacts(db, phone_hash)
    db.execute("DROP INDEX IF EXISTS idx_contacts_channel_phone_hash")
    db.execute("CREATE UNIQUE INDEX idx_contacts_phone_hash ON contacts (phone_hash)")
    # The flood limit answers STOP, START and DELETE at most once a minute each, and warns once.
    db.table("inbound").add_column("keyword", str)
    db.table("inbound").add_column("warned", int)


def _merge_contacts(db: Database, phone_hash: str) -> None:
    """The contacts of one phone become one: the newest active hearing is kept (older ones are
    replaced, their unsent reminders cancelled), the earliest consent, opted out if any was."""
    found = rows(db, "SELECT * FROM contacts WHERE phone_hash = ? ORDER BY id", [phone_hash])
    ids = [c["id"] for c in found]
    marks = ", ".join("?" * len(ids))
    active = rows(
        db,
        f"SELECT id, contact_id FROM hearings WHERE status = 'active' AND contact_id IN ({marks}) "
        "ORDER BY created_at DESC, id DESC",
        ids,
    )
    latest = max(found, key=lambda c: (c["last_inbound_at"] or c["created_at"] or "", c["id"]))
    keeper = next(c for c in found if c["id"] == active[0]["contact_id"]) if active else latest
    others = [c["id"] for c in found if c["id"] != keeper["id"]]
    now = iso(utcnow())
    for old in active[1:]:
        db.execute("UPDATE hearings SET status = 'replaced' WHERE id = ?", [old["id"]])
        db.execute(
            "UPDATE outbox SET status = 'cancelled', reason = 'hearing_changed', updated_at = ? "
            "WHERE hearing_id = ? AND status IN ('pending', 'sending')",
            [now, old["id"]],
        )
    other_marks = ", ".join("?" * len(others))
    # One alert per person: a broadcast both contacts were to get goes once, to the keeper.
    db.execute(
        f"DELETE FROM outbox WHERE contact_id IN ({other_marks}) AND broadcast_id IN "
        "(SELECT broadcast_id FROM outbox WHERE contact_id = ? AND broadcast_id IS NOT NULL)",
        [*others, keeper["id"]],
    )
    for table in ("hearings", "outbox", "inbound"):
        db.execute(f"UPDATE {table} SET contact_id = ? WHERE contact_id IN ({other_marks})", [keeper["id"], *others])

    def earliest(column):
        return min((c[column] for c in found if c[column]), default=None)

    def latest_of(channel):
        return max(
            (c["last_inbound_at"] for c in found if c["channel"] == channel and c["last_inbound_at"]), default=None
        )

    consented = min((c for c in found if c["consent_at"]), key=lambda c: c["consent_at"], default=None)
    unreachable = min((c for c in found if c["unreachable_at"]), key=lambda c: c["unreachable_at"], default=None)
    values = {
        "channel": latest["channel"],
        "channels": ",".join(sorted({c["channel"] for c in found})),
        "last_sms_at": latest_of("sms"),
        "last_whatsapp_at": latest_of("whatsapp"),
        "last_inbound_at": max((c["last_inbound_at"] for c in found if c["last_inbound_at"]), default=None),
        "created_at": earliest("created_at"),
        "consent_at": consented and consented["consent_at"],
        "consent_method": consented and consented["consent_method"],
        "opted_out_at": earliest("opted_out_at"),
        "unreachable_at": unreachable and unreachable["unreachable_at"],
        "unreachable_code": unreachable and unreachable["unreachable_code"],
    }
    for column in ("lang", "city", "court"):  # the keeper's, or what the other knew
        values[column] = keeper[column] or next((c[column] for c in found if c[column]), None)
    db.execute(f"DELETE FROM contacts WHERE id IN ({other_marks})", others)
    update(db, "contacts", keeper["id"], values)
    if values["opted_out_at"] or values["unreachable_at"]:
        db.execute(
            "UPDATE outbox SET status = 'cancelled', reason = 'opted_out', updated_at = ? WHERE status = 'pending' "
            "AND (hearing_id IN (SELECT id FROM hearings WHERE contact_id = ?) OR contact_id = ?)",
            [now, keeper["id"], keeper["id"]],
        )


@migrations()
def m009_security(db: Database) -> None:
    # Console sessions end for real: a staff member's epoch is in their cookie and bumped at logout,
    # disable and password change. PIN locks escalate (1 h, 4 h, 24 h) with how many there were.
    db.table("staff").add_column("session_epoch", int, not_null_default=0)
    db.table("staff").add_column("pin_locks", int, not_null_default=0)
    # Failed tries counted by a key that is not a person's secret: a console username (known or not)
    # or a client address; updated atomically (UPDATE ... RETURNING inside BEGIN IMMEDIATE).
    db.table("throttles").create(
        {"key": str, "count": int, "since": str, "locked_until": str},
        pk="key",
        not_null={"count", "since"},
        defaults={"count": 0},
    )
    # An ALERTA draft is confirmed by its own one-time code (an HMAC of it), and a wide broadcast by a
    # volunteer waits for an operator's approval.
    broadcasts = db.table("broadcasts")
    broadcasts.add_column("code_hash", str)
    broadcasts.add_column("approved_by", str)
    broadcasts.add_column("approved_at", str)


@migrations()
def m010_every_court(db: Database) -> None:
    # data/places.json now lists every immigration court. The old "calexico" entry was the Imperial
    # Immigration Court's area: same clock (America/Los_Angeles), so no stored instant moves.
    for table in ("hearings", "contacts"):
        db.execute(f"UPDATE {table} SET court = 'imperial' WHERE court = 'calexico'")
    db.execute(
        "UPDATE broadcasts SET target = json_set(target, '$.court', 'imperial') "
        "WHERE json_valid(target) AND json_extract(target, '$.court') = 'calexico'"
    )


@migrations()
def m011_threads(db: Database) -> None:
    # A person can ask for a volunteer (or write words of danger): a thread, its messages encrypted
    # with their own key, deleted with the person and some days after the thread closes.
    db.table("contacts").add_column("confused", int, not_null_default=0)
    db.table("threads").create(
        {
            "id": int,
            "contact_id": int,
            "status": str,  # open, closed
            "urgent": int,
            "lang": str,
            "assigned_to": str,
            "opened_at": str,
            "first_answer_at": str,
            "closed_at": str,
            "updated_at": str,
        },
        pk="id",
        not_null={"contact_id", "status", "opened_at"},
        defaults={"urgent": 0},
        foreign_keys=[("contact_id", "contacts", "id")],
    )
    db.execute("CREATE UNIQUE INDEX threads_one_open ON threads (contact_id) WHERE status = 'open'")
    db.execute("CREATE INDEX threads_by_status ON threads (status, urgent, opened_at)")
    db.table("thread_messages").create(
        {"id": int, "thread_id": int, "author": str, "body_enc": str, "created_at": str},
        pk="id",
        not_null={"thread_id", "author", "body_enc", "created_at"},
        foreign_keys=[("thread_id", "threads", "id")],
    )
    db.execute("CREATE INDEX thread_messages_by_thread ON thread_messages (thread_id, id)")


@migrations()
def m012_console_indexes(db: Database) -> None:
    # The console with 100,000 people and 400,000 messages (bench/console.py). Rows past 'pending' by
    # their last change (the message log, the dashboard's failures and its chart: covering) and by
    # their send time (the queue's other statuses; pending rows have idx_outbox_due). Partial, like
    # idx_outbox_due: planning writes no entry in them, a row gets one when it leaves 'pending'.
    db.execute("CREATE INDEX idx_outbox_done ON outbox (updated_at, status) WHERE status != 'pending'")
    db.execute("CREATE INDEX idx_outbox_done_send_at ON outbox (send_at) WHERE status != 'pending'")
    # The dashboard's people by city and language, from the index alone instead of every contact's row.
    db.execute(
        "CREATE INDEX idx_contacts_consented ON contacts (city, lang) "
        "WHERE consent_at IS NOT NULL AND opted_out_at IS NULL"
    )


@migrations()
def m013_outcomes(db: Database) -> None:
    # What happened at each hearing, as the person told us (bot/core/outcomes.py): event codes and
    # their time, never a message's text. City, language, court and the message variant are copied
    # at the time of the event, so the report groups by them after the hearing row is purged (30 days
    # after the hearing); the rows go with the person (DELETE, or silence: bot/store/people.erase).
    db.table("contacts").add_column("variant", str)  # the reminder wording drawn at registration
    db.table("outcomes").create(
        {
            "id": int,
            "contact_id": int,
            "hearing_id": int,
            "code": str,
            "at": str,
            "hearing_at": str,
            "city": str,
            "lang": str,
            "court": str,
            "variant": str,
        },
        pk="id",
        not_null={"contact_id", "hearing_id", "code", "at"},
    )
    db.execute("CREATE UNIQUE INDEX outcomes_once ON outcomes (hearing_id, code)")
    db.execute("CREATE INDEX outcomes_by_contact ON outcomes (contact_id)")


@migrations()
def m014_calls(db: Database) -> None:
    # Reminder calls (docs/voice.md): the person's consent to be called, like the consent to messages
    # (when, and how it was given: their own answer to VOZ, or a volunteer who registered them by
    # phone). STOP clears it; DELETE erases the row.
    contacts = db.table("contacts")
    contacts.add_column("calls_at", str)
    contacts.add_column("calls_method", str)


@migrations()
def m015_services(db: Database) -> None:
    # One directory (bot/store/services.py): the shelters become services of kind "shelter", kept as
    # volunteers edited them; an entry may have no published place or no date yet (never checked);
    # people's WRONG flags wait for a volunteer (their words sealed, never who said them). A new
    # database gets every kind of data/services.csv; one with shelters, the file's other kinds.
    db.rename_table("shelters", "services")
    services_table = db.table("services")
    services_table.add_column("kind", str, not_null_default="shelter")
    services_table.transform(not_null={"address": False, "latitude": False, "longitude": False, "verified_at": False})
    services_table.create_index(["kind", "city"])
    db.table("service_flags").create(
        {"id": int, "service_id": int, "at": str, "words_enc": str},
        pk="id",
        not_null={"service_id", "at"},
        foreign_keys=[("service_id", "services", "id")],
    )
    db.table("service_flags").create_index(["service_id"])
    from bot.core import places
    from bot.store import services  # here, not at the top: it imports bot.store.db

    services.seed(db, places.load())
