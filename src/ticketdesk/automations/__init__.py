"""Automations: rules run on ticket changes and on a schedule, auto-assignment and auto-close."""
