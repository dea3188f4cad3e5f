"""Everything the bot sends on its own: the outbox, the transport and the dispatcher's tick."""
