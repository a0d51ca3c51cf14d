"""Outgoing mail: every message is an outbox row with a unique idempotency key."""
