"""In-app notifications: writing them for any room, and a user reading theirs."""
