"""Webhooks: subscriptions, the outbox fan-out into signed deliveries, retries, the log."""
