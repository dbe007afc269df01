"""Macros: canned replies with ticket changes, personal or shared with the workspace."""
