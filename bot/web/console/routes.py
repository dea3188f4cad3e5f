"""/admin: the operators' and volunteers' console. Thin routes over the modules that do the work.

Volunteers: dashboard, broadcasts, shelters. Operators: also the queue, the message log, people.
Admins: also staff and the audit log. Pages are server-rendered; the little JavaScript there is
(live broadcast preview, progress bar) is a static file, so the Content-Security-Policy allows no
inline script. Every form carries a CSRF token (Flask-WTF), every action lands in the audit log.
"""

from __future__ import annotations

import json
import re
from datetime import date, timedelta

from flask import Blueprint, Response, abort, current_app, flash, jsonify, redirect, render_template, request, url_for

from bot.config import calls_on
from bot.core import voice
from bot.core.dates import LANGS
from bot.core.outcomes import COLUMNS
from bot.core.services import CHECK_EVERY_DAYS, KINDS
from bot.core.status import ALL, RETRYABLE, Kind
from bot.store import audit, broadcasts, dashboard, outcomes, services, staff, threads
from bot.store.db import write_transaction
from bot.store.people import set_calls
from bot.web import context
from bot.web.console import auth, chart, display
from scheduler import outbox, planner

bp = Blueprint("admin", __name__, url_prefix="/admin", template_folder="templates")
PAGE = 200  # rows per list page
AUDIT_PAGE = 100
MAX_ID = 2**63 - 1  # SQLite's largest integer: a bigger id in a URL is a 404, not an OverflowError
QUEUE_FILTERS = ("status", "kind", "city", "date")
NEXT = re.compile(r"/admin(/[A-Za-z0-9_.-]+)*/?")  # a login's `next`: one of our own paths, nothing else
BROADCAST_FIELDS = tuple(f"text_{lang}" for lang in LANGS) + (
    "city",
    "lang",
    "court",
    "hearing_from",
    "hearing_to",
    "only_written",
)  # what the confirm step carries over, as typed


def _db():
    return context.get_db()


@bp.record_once
def _globals(state) -> None:
    """Times on named clocks, codes by their names (bot/web/console/display.py), on every page."""
    state.app.jinja_env.globals.update(display.GLOBALS)


_ = auth.gettext
ngettext = auth.ngettext


@bp.url_value_preprocessor
def _ids_fit(_endpoint, values) -> None:
    """An id too big for SQLite is a 404, not an OverflowError (a 500) deep in a query."""
    if any(isinstance(v, int) and v > MAX_ID for v in (values or {}).values()):
        abort(404)


def _act(action: str, **details) -> None:
    audit.record(_db(), auth.current().name, action, context.now(), **details)


# --- login ------------------------------------------------------------------------------------------


@bp.route("/login", methods=["GET", "POST"])
def login():
    error = None
    if request.method == "POST":
        f = request.form
        member, why = staff.login(
            _db(),
            f.get("username", ""),
            f.get("password", ""),
            context.now(),
            address=request.remote_addr or "",
            sleep=context.login_sleep(),
        )
        if member:
            auth.log_in(member)
            target = request.args.get("next", "")
            return redirect(target if NEXT.fullmatch(target) and ".." not in target else url_for("admin.home"))
        error = "locked" if why == "locked" else "wrong"
    return render_template("admin/login.html", error=error), (401 if error else 200)


@bp.post("/logout")
def logout():
    member = auth.current()
    auth.log_out()
    if member:
        audit.record(_db(), member.name, "logout", context.now(), changes={"sessions": ["open", "ended"]})
    return redirect(url_for("admin.login"))


# --- volunteer and up ---------------------------------------------------------------------------------


@bp.get("")
@auth.requires("volunteer")
def home():
    now = context.now()
    labels = {
        "title": _("Reminders per day, last 30 days"),
        "sent": _("sent"),
        "delivered": _("delivered"),
        "failed": _("failed"),
    }
    svg = chart.svg(dashboard.daily(_db(), now), labels)
    figures = dashboard.figures(_db(), now)
    return render_template(
        "admin/dashboard.html",
        f=figures,
        t=threads.figures(_db(), now),
        chart=svg,
        places=context.places(),
        clips=_missing_clips(),
    )


def _missing_clips() -> list[tuple[str, int, int]]:
    """(language, missing, needed) for each clip language not fully recorded, when calls are on:
    its calls are said in Spanish until it is (docs/voice.md)."""
    if not calls_on(current_app.config):
        return []
    places = context.places()
    needed = len(voice.needed_clips(places))
    return [(lang, len(keys), needed) for lang, keys in voice.missing_clips(context.voices(), places).items() if keys]


@bp.get("/outcomes")
@auth.requires("volunteer")
def outcome_report():
    """What happened at the hearings, by city, language, court and message variant (docs/outcomes.md)."""
    return render_template("admin/outcomes.html", reports=outcomes.reports(_db()), columns=COLUMNS)


@bp.get("/broadcasts")
@auth.requires("volunteer")
def broadcast_list():
    return _broadcasts_page()


def _broadcasts_page(**confirm):
    return render_template(
        "admin/broadcasts.html",
        items=broadcasts.listing(_db(), context.places()),
        places=context.places(),
        langs=LANGS,
        form=confirm.pop("form", {}),
        **confirm,
    )


def _broadcast_form() -> tuple[broadcasts.Target, dict, str | None]:
    f = request.form

    def day(name):
        try:
            return date.fromisoformat(f.get(name, "")) if f.get(name) else None
        except ValueError:
            abort(400)

    target = broadcasts.Target(
        city=f.get("city") or None,
        lang=f.get("lang") or None,
        court=f.get("court") or None,
        hearing_from=day("hearing_from"),
        hearing_to=day("hearing_to"),
    )
    texts = {lang: f.get(f"text_{lang}", "").strip() for lang in LANGS if f.get(f"text_{lang}", "").strip()}
    return target, texts, None if f.get("only_written") else broadcasts.FALLBACK


@bp.post("/broadcasts/preview")
@auth.requires("volunteer")
def broadcast_preview():
    target, texts, fallback = _broadcast_form()
    if not target.known(context.places()):
        return jsonify(error=_("Unknown city, court or language: choose one from the list.")), 400
    shown = broadcasts.preview(_db(), target, texts, fallback, context.places(), context.prices())
    return jsonify(
        people=shown.people,
        by_lang=shown.by_lang,
        without_text=shown.without_text,
        fallbacks=shown.fallbacks,
        cost=shown.cost,
        target=target.describe(context.places()),
        lines=_preview_lines(shown),
    )


def _preview_lines(shown: broadcasts.Preview) -> list[str]:
    """The preview in the member's words: people and cost, then each language, saying which ones get
    another language's text and which get nothing."""
    if not shown.people and not shown.without_text:
        return [_("Nobody matches.")]
    lines = [
        ngettext("{people} person, about {cost} USD", "{people} people, about {cost} USD", shown.people).format(
            people=shown.people, cost=f"{shown.cost:.2f}"
        )
    ]
    for lang in LANGS:
        if lang not in shown.by_lang:
            continue
        d = shown.by_lang[lang]
        if lang in shown.fallbacks:
            line = ngettext(
                "{lang}: {people} person gets the {fallback} text, {segments} SMS segment(s) each",
                "{lang}: {people} people get the {fallback} text, {segments} SMS segment(s) each",
                d["people"],
            )
        else:
            line = ngettext(
                "{lang}: {people} person, {segments} SMS segment(s) each",
                "{lang}: {people} people, {segments} SMS segment(s) each",
                d["people"],
            )
        lines.append(
            line.format(
                lang=display.lang_name(lang),
                people=d["people"],
                segments=d["segments"],
                fallback=display.lang_name(shown.fallbacks.get(lang)),
            )
        )
    for lang in LANGS:
        if shown.without_by_lang.get(lang):
            lines.append(
                ngettext(
                    "{lang}: {people} person gets nothing (no text in their language)",
                    "{lang}: {people} people get nothing (no text in their language)",
                    shown.without_by_lang[lang],
                ).format(lang=display.lang_name(lang), people=shown.without_by_lang[lang])
            )
    return lines


@bp.post("/broadcasts")
@auth.requires("volunteer")
def broadcast_send():
    target, texts, fallback = _broadcast_form()
    member = auth.current()
    if not target.known(context.places()):  # before any draft is stored
        flash(_("Unknown city, court or language: choose one from the list."))
        return redirect(url_for("admin.broadcast_list"))
    if not texts:
        flash(_("Write a text to see who gets it."))
        return redirect(url_for("admin.broadcast_list"))
    if request.form.get("confirmed") != "1":  # first the confirm step: who, how many, the cost; nothing stored
        shown = broadcasts.preview(_db(), target, texts, fallback, context.places(), context.prices())
        return _broadcasts_page(
            form=request.form,
            confirm=shown,
            confirm_lines=_preview_lines(shown),
            texts=texts,
            filters=json.loads(target.to_json()),
            carry={k: request.form[k] for k in BROADCAST_FIELDS if request.form.get(k)},
            needs_approval=member.role == "volunteer" and shown.people > broadcasts.APPROVAL_OVER,
            approval_over=broadcasts.APPROVAL_OVER,
        )
    try:
        broadcast_id = broadcasts.create(_db(), member.name, "console", target, texts, fallback, context.now())
        queued = broadcasts.send(_db(), broadcast_id, member.name, context.now(), context.places(), role=member.role)
    except broadcasts.BroadcastError as error:
        flash(str(error))
        return redirect(url_for("admin.broadcast_list"))
    stored = broadcasts.get(_db(), broadcast_id)
    if stored["status"] == "awaiting_approval":
        flash(
            ngettext(
                "Broadcast {id} would reach {people} person: it waits for an operator's approval.",
                "Broadcast {id} would reach {people} people: it waits for an operator's approval.",
                stored["people"],
            ).format(id=broadcast_id, people=stored["people"])
        )
        return redirect(url_for("admin.broadcast_list"))
    flash(queued_text(broadcast_id, queued))
    return redirect(url_for("admin.broadcast_list", watch=broadcast_id))


def queued_text(broadcast_id: int, queued: int) -> str:
    return ngettext("Broadcast {id}: {n} message queued.", "Broadcast {id}: {n} messages queued.", queued).format(
        id=broadcast_id, n=queued
    )


@bp.post("/broadcasts/<int:broadcast_id>/approve")
@auth.requires("operator")
def broadcast_approve(broadcast_id: int):
    try:
        queued = broadcasts.approve(_db(), broadcast_id, auth.current().name, context.now(), context.places())
        flash(queued_text(broadcast_id, queued))
    except broadcasts.BroadcastError as error:
        flash(str(error))
    return redirect(url_for("admin.broadcast_list"))


@bp.get("/broadcasts/<int:broadcast_id>/progress")
@auth.requires("volunteer")
def broadcast_progress(broadcast_id: int):
    found = [b for b in broadcasts.listing(_db(), context.places()) if b["id"] == broadcast_id]
    if not found:
        abort(404)
    return jsonify(found[0] | {"status_name": display.label("broadcast", found[0]["status"])})


@bp.post("/broadcasts/<int:broadcast_id>/cancel")
@auth.requires("volunteer")
def broadcast_cancel(broadcast_id: int):
    try:
        stopped = broadcasts.cancel(_db(), broadcast_id, auth.current().name, context.now())
        flash(
            ngettext(
                "Broadcast {id} cancelled: {n} message stopped.",
                "Broadcast {id} cancelled: {n} messages stopped.",
                stopped,
            ).format(id=broadcast_id, n=stopped)
        )
    except broadcasts.BroadcastError as error:
        flash(str(error))
    return redirect(url_for("admin.broadcast_list"))


@bp.get("/shelters")
@auth.requires("volunteer")
def shelter_list():
    return render_template(
        "admin/shelters.html",
        items=services.all_services(_db()),
        flags=services.flag_counts(_db()),
        today=context.now().date(),
        places=context.places(),
    )


@bp.get("/shelters/check")
@auth.requires("volunteer")
def shelter_check():
    """What people flagged as wrong, then what is unchecked for CHECK_EVERY_DAYS or more: oldest first."""
    today = context.now().date()
    items = services.to_check(_db(), context.vault(), today)
    return render_template(
        "admin/shelters_check.html", items=items, today=today, days=CHECK_EVERY_DAYS, places=context.places()
    )


@bp.post("/shelters/<int:shelter_id>/checked")
@auth.requires("volunteer")
def shelter_checked(shelter_id: int):
    """One tap: checked today and still right; dated today, its flags cleared, audited (old -> new)."""
    done = services.checked(_db(), shelter_id, context.now().date())
    if done is None:
        abort(404)
    _act("shelter checked", shelter=done["name"], id=shelter_id, changes={"verified_at": done["verified_at"]})
    flash(_("Marked as checked today: {name}.").format(name=done["name"]))
    return redirect(url_for("admin.shelter_check"))


@bp.route("/shelters/<int:shelter_id>", methods=["GET", "POST"])
@bp.route("/shelters/new", methods=["GET", "POST"], defaults={"shelter_id": None})
@auth.requires("volunteer")
def shelter_edit(shelter_id: int | None):
    db = _db()
    existing = {s.id: s for s in services.all_services(db)}
    if shelter_id is not None and shelter_id not in existing:
        abort(404)
    errors = []
    if request.method == "POST":
        values = {k: request.form.get(k, "") for k in services.COLUMNS}
        values["serves"] = ";".join(request.form.getlist("serves"))
        values["approximate"] = "yes" if request.form.get("approximate") else "no"
        checked, errors = services.check_row(values, 1, context.places())
        if checked:
            before = services.as_row(existing[shelter_id]) if shelter_id else {}
            saved = services.save_one(db, shelter_id, checked)
            after = next(services.as_row(s) for s in services.all_services(db) if s.id == saved)
            _act(
                "shelter saved",
                shelter=checked["name"],
                city=checked["city"],
                id=saved,
                new=shelter_id is None,
                changes=audit.changes(before, after),
            )
            flash(_("Entry saved."))
            return redirect(url_for("admin.shelter_list"))
        errors = [e.removeprefix("line 1: ") for e in errors]
        form = values
    else:
        form = services.as_row(existing[shelter_id]) if shelter_id else {"approximate": "yes", "kind": "shelter"}
    return render_template(
        "admin/shelter_form.html",
        form=form,
        errors=errors,
        shelter_id=shelter_id,
        places=context.places(),
        serves=services.SERVES,
        kinds=KINDS,
        langs=LANGS,
    ), (422 if errors else 200)


@bp.post("/shelters/import")
@auth.requires("volunteer")
def shelter_import():
    upload = request.files.get("file")
    before = _shelters_by_name()
    try:
        text = upload.read().decode("utf-8") if upload else ""
        count = services.import_text(_db(), text, context.places())
    except UnicodeDecodeError:
        flash(_("The file is not UTF-8 text: nothing was imported."))
        return redirect(url_for("admin.shelter_list"))
    except services.ServiceFileError as error:
        flash(_("Nothing was imported:") + " " + "; ".join(error.errors[:10]))
        return redirect(url_for("admin.shelter_list"))
    _act("shelters imported", count=count, **_import_changes(before, _shelters_by_name()))
    flash(ngettext("{n} shelter imported.", "{n} shelters imported.", count).format(n=count))
    return redirect(url_for("admin.shelter_list"))


def _shelters_by_name() -> dict[str, dict]:
    return {f"{s.city}/{s.name}": services.as_row(s) for s in services.all_services(_db())}


def _import_changes(before: dict[str, dict], after: dict[str, dict]) -> dict:
    """What an import did, shelter by shelter: added, removed, and old -> new of each changed field."""
    changed = {key: audit.changes(before[key], after[key]) for key in before.keys() & after.keys()}
    return {
        "added": sorted(after.keys() - before.keys()),
        "removed": sorted(before.keys() - after.keys()),
        "changes": {key: c for key, c in sorted(changed.items()) if c},
    }


@bp.get("/shelters.csv")
@auth.requires("volunteer")
def shelter_export():
    return Response(
        services.export_text(_db()),
        mimetype="text/csv",
        headers={"Content-Disposition": "attachment; filename=shelters.csv"},
    )


# --- the inbox: conversations with a volunteer --------------------------------------------------------


@bp.get("/inbox")
@auth.requires("volunteer")
def inbox():
    items = threads.listing(_db(), context.vault(), context.now())
    return render_template("admin/inbox.html", items=items, places=context.places())


@bp.get("/inbox/<int:thread_id>")
@auth.requires("volunteer")
def thread_page(thread_id: int):
    found = threads.get(_db(), context.vault(), thread_id)
    if found is None:
        abort(404)
    return render_template("admin/thread.html", t=found, places=context.places())


@bp.post("/inbox/<int:thread_id>/reply")
@auth.requires("volunteer")
def thread_reply(thread_id: int):
    try:
        row_id = threads.reply(
            _db(), context.vault(), thread_id, auth.current().name, request.form.get("body", ""), context.now()
        )
    except threads.ThreadError as error:
        if str(error) == "missing":
            abort(404)
        flash(_("Write an answer first."))
        return redirect(url_for("admin.thread_page", thread_id=thread_id))
    _act("thread answered", thread=thread_id, message=row_id)  # never the text
    flash(_("Your answer is on its way."))
    return redirect(url_for("admin.thread_page", thread_id=thread_id))


@bp.post("/inbox/<int:thread_id>/calls")
@auth.requires("volunteer")
def thread_calls(thread_id: int):
    """Reminder calls on or off for the person, as they asked a volunteer by phone (their consent)."""
    db, now = _db(), context.now()
    found = threads.get(db, context.vault(), thread_id)
    if found is None:
        abort(404)
    on = request.form.get("calls") == "on"
    if on and not calls_on(current_app.config):
        flash(_("Calls are not set up yet (TWILIO_VOICE_FROM)."))
    elif on and found["opted_out_at"]:
        flash(_("This person replied STOP: they must reply START first."))
    else:
        who = auth.current().name
        with write_transaction(db):
            method = f"console: {who}, the person agreed by phone" if on else None
            set_calls(db, found["contact_id"], method, now)
            if on:
                planner.plan_contact(db, found["contact_id"], now, context.places(), context.reminders(), revive=True)
        _act("calls on" if on else "calls off", thread=thread_id)
        flash(_("Reminder calls are on.") if on else _("Reminder calls are off."))
    return redirect(url_for("admin.thread_page", thread_id=thread_id))


@bp.post("/inbox/<int:thread_id>/<action>")
@auth.requires("volunteer")
def thread_action(thread_id: int, action: str):
    if not threads.exists(_db(), thread_id) or action not in ("assign", "close", "reopen"):
        abort(404)
    try:
        if action == "assign":
            threads.assign(_db(), thread_id, auth.current().name, context.now())
        else:
            threads.set_status(
                _db(), thread_id, "closed" if action == "close" else "open", auth.current().name, context.now()
            )
    except threads.ThreadError:
        flash(_("This person already has an open conversation."))
    _act(f"thread {action}", thread=thread_id)
    return redirect(url_for("admin.thread_page", thread_id=thread_id))


# --- operator and up ----------------------------------------------------------------------------------


@bp.get("/queue")
@auth.requires("operator")
def queue():
    status = request.args.get("status", "pending")
    kind, city, on_day = request.args.get("kind", ""), request.args.get("city", ""), request.args.get("date", "")
    which = outbox.Filter(ALL if status == "all" else (status,), kind or None, city or None, on_day or None)
    days = context.reminders().days_before
    items = outbox.listing(_db(), context.vault(), context.places(), which, PAGE, days)  # decrypts these PAGE rows only
    for row in items:
        row["why"] = dashboard.explain(row["error_code"], row["reason"])
    return render_template(
        "admin/queue.html",
        items=items,
        total=outbox.count(_db(), which),
        status=status,
        kind=kind,
        city=city,
        on_day=on_day,
        places=context.places(),
        statuses=list(ALL),
        kinds=list(Kind),
        retryable=list(RETRYABLE),
    )


@bp.post("/queue/<int:row_id>/<action>")
@auth.requires("operator")
def queue_action(row_id: int, action: str):
    do = {"send-now": outbox.send_now, "retry": outbox.retry, "cancel": outbox.cancel}.get(action)
    if do is None:
        abort(404)
    try:
        do(_db(), row_id, context.now())
        _act(f"queue {action}", message=row_id)
        flash(_("Message {id}: done.").format(id=row_id))
    except outbox.QueueError as error:
        flash(str(error))
    # Back to the queue with the same filters: our own route, never the Referer (L7).
    filters = {k: request.args[k] for k in QUEUE_FILTERS if request.args.get(k)}
    return redirect(url_for("admin.queue", **filters))


@bp.get("/messages")
@auth.requires("operator")
def messages():
    found = dashboard.message_log(_db(), context.vault(), PAGE)
    return render_template("admin/messages.html", items=found)


@bp.get("/people")
@auth.requires("operator")
def people():
    found = dashboard.people(_db(), context.vault(), context.now(), PAGE)
    return render_template("admin/people.html", items=found, places=context.places())


# --- admin ----------------------------------------------------------------------------------------------


@bp.route("/staff", methods=["GET", "POST"])
@auth.requires("admin")
def staff_page():
    errors = []
    if request.method == "POST":
        f = request.form
        try:
            staff.add(
                _db(),
                context.vault(),
                f.get("name", ""),
                f.get("role", ""),
                f.get("phone") or None,
                f.get("password", ""),
                f.get("pin") or None,
                context.now(),
                f.get("lang", "es"),
                actor=auth.current().name,
            )
            flash(_("Staff member added."))
            return redirect(url_for("admin.staff_page"))
        except staff.StaffError as error:
            errors = [_(str(error))]  # the name rules are msgids; older messages stay English
    return render_template(
        "admin/staff.html", items=staff.listing(_db()), errors=errors, roles=staff.ROLES, langs=LANGS
    ), (422 if errors else 200)


@bp.post("/staff/<name>/disable")
@auth.requires("admin")
def staff_disable(name: str):
    return _staff_switch(staff.disable, name, _("{name} can no longer log in."))


@bp.post("/staff/<name>/enable")
@auth.requires("admin")
def staff_enable(name: str):
    return _staff_switch(staff.enable, name, _("{name} can log in again."))


def _staff_switch(do, name: str, done: str):
    """Disable or enable: an unknown name is a 404; a rule's no (yourself, the last admin) is said in
    words; a member already so is left as they are."""
    try:
        do(_db(), name, context.now(), actor=auth.current().name)
        flash(done.format(name=name))
    except staff.NotFound:
        abort(404)
    except staff.Refused as error:
        flash(_(str(error)))
    except staff.StaffError:
        pass  # already disabled (or enabled): a second tap changes nothing
    return redirect(url_for("admin.staff_page"))


@bp.get("/audit")
@auth.requires("admin")
def audit_log():
    """Staff actions by default, or only failed logins (?logins=1); older pages with ?before=ID."""
    logins = request.args.get("logins") == "1"
    before = request.args.get("before", type=int)
    before = before if before is not None and 0 < before <= MAX_ID else None
    items = audit.entries(_db(), limit=AUDIT_PAGE + 1, before=before, logins=logins)
    older = items[AUDIT_PAGE - 1]["id"] if len(items) > AUDIT_PAGE else None
    noise = audit.failed_logins_since(_db(), context.now() - timedelta(days=1))
    return render_template(
        "admin/audit.html", items=items[:AUDIT_PAGE], older=older, logins=logins, failed_logins=noise, dumps=json.dumps
    )


@bp.app_template_global()
def role_at_least(role: str) -> bool:
    member = auth.current()
    return bool(member and staff.can(member, role))
