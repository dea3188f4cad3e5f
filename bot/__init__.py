"""The hearing-reminder bot: conversation, webhook, storage and reference data."""
