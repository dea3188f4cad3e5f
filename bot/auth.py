"""Console sessions: who is logged in, and which role a page needs (volunteer < operator < admin)."""

from __future__ import annotations

import functools
from collections.abc import Callable

from flask import abort, g, redirect, request, session, url_for

from bot import context, staff
from bot.i18n import translator


def current() -> staff.Staff | None:
    """The staff member of this session, if still enabled."""
    if "staff" not in g:
        staff_id = session.get("staff_id")
        g.staff = staff.get(context.get_db(), staff_id) if staff_id else None
    return g.staff


def lang() -> str:
    """The console's language: the logged-in staff member's, else English."""
    member = current()
    return member.lang if member else "en"


def gettext(message: str) -> str:
    """`_` for console pages and messages, in `lang()`."""
    return translator(lang())(message)


def log_in(member: staff.Staff) -> None:
    session.clear()  # a new session on login: no fixation
    session["staff_id"] = member.id
    session.permanent = True


def log_out() -> None:
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

        guarded.required_role = role
        return guarded

    return decorate
