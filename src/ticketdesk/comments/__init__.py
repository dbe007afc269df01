"""Comments: public replies to the requester and internal notes between agents."""
