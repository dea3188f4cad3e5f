"""/admin, the console of volunteers, operators and admins: routes, auth, the dashboard's chart, templates."""

from bot.web.console.routes import bp

__all__ = ["bp"]
