"""Conversations: chat widgets and AI assistants, their messages, and the tickets they open."""
