"""Custom fields: typed definitions, and the check every write of a ticket's values goes through."""
