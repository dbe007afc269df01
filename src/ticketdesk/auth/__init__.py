"""Who is calling: the Principal every route is scoped by, roles and scopes, tokens and
passwords, and ending a user's sessions."""
