"""Email: inbound mail into tickets, outbound notifications, templates, channel settings."""
