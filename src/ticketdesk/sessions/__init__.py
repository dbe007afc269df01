"""Signing in: login (rate-limited), logout, and who the caller is (GET /me)."""
