"""Everything Flask: the Twilio webhooks and their signature check, the request context, the
simulator (local mode) and the staff console. Only app.py and bot/cli import this package."""
