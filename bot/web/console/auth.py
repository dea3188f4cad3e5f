"""Console sessions: who is logged in, and which role a page needs (volunteer < operator < admin).

A session cookie names a staff member, the member's session epoch and the login time. It is
refused once the epoch has moved on (logout, disable, password change end every session of that
member, on every device) or 12 hours after the login, however often it was used meanwhile.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from datetime import timedelta

from flask import abort, g, has_request_context, redirect, request, session, url_for

from bot.core.clock import iso, parse_iso
from bot.core.dates import LANGS
from bot.core.i18n import plural_translator, translator
from bot.store import staff
from bot.web import context

MAX_SESSION = timedelta(hours=12)  # from login; the cookie's own lifetime only counts idle time


def current() -> staff.Staff | None:
    """The staff member of this session, if still enabled and the session still valid."""
    if "staff" not in g:
        g.staff = _valid_member()
    return g.staff


def _valid_member() -> staff.Staff | None:
    staff_id = session.get("staff_id")
    if not staff_id:
        return None
    member = staff.get(context.get_db(), staff_id)
    login_at = _login_time()
    if (
        member is None
        or session.get("epoch") != member.session_epoch
        or login_at is None
        or context.now() - login_at > MAX_SESSION
    ):
        session.clear()  # the browser drops a cookie that can no longer open anything
        return None
    return member


def _login_time():
    try:
        return parse_iso(session.get("login_at"))
    except (TypeError, ValueError):
        return None


def lang() -> str:
    """The console's language: the logged-in staff member's; before login (or outside a request),
    the browser's best match among ours (Accept-Language: es-MX gives es), else English."""
    if not has_request_context():
        return "en"
    member = current()
    if member:
        return member.lang
    return request.accept_languages.best_match(LANGS, default="en") or "en"


def gettext(message: str) -> str:
    """`_` for console pages and messages, in `lang()`."""
    return translator(lang())(message)


def ngettext(singular: str, plural: str, n: int) -> str:
    """`ngettext` for console pages and messages, in `lang()`: the form for `n` ("1 person", "2 people")."""
    return plural_translator(lang())(singular, plural, n)


def log_in(member: staff.Staff) -> None:
    session.clear()  # a new session on login: no fixation
    session["staff_id"] = member.id
    session["epoch"] = member.session_epoch
    session["login_at"] = iso(context.now())
    session.permanent = True


def log_out() -> None:
    """End this member's sessions everywhere, not only this browser's copy of the cookie."""
    member = current()
    if member is not None:
        staff.end_sessions(context.get_db(), member.id)
    session.clear()


def requires(role: str) -> Callable:
    """Anonymous: to the login page. Logged in without the role: 403."""

    def decorate(view: Callable) -> Callable:
        @functools.wraps(view)
        def guarded(*args, **kwargs):
            member = current()
            if member is None:
                return redirect(url_for("admin.login", next=request.path))
            if not staff.can(member, role):
                abort(403)
            return view(*args, **kwargs)

        return guarded

    return decorate
