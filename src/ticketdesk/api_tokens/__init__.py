"""API tokens: named, scoped, expiring credentials for integrations."""
