"""Attachments: files on tickets and comments, their content-addressed storage, safe downloads."""
