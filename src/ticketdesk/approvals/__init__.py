"""Approvals: the queue of ticket changes that wait for an approver, and their decision."""
