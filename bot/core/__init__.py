"""The pure core: the conversation, dates, keywords, places, hearings, languages, phones and clock.

Nothing here imports Flask, SQLite, twilio or APScheduler, nor anything of bot.store, bot.web,
bot.cli or scheduler (tests/test_layers.py checks it): it is what the rest is built on.
"""
