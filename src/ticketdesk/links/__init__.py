"""Links between tickets: related, duplicate and blocks, shown from either side."""
