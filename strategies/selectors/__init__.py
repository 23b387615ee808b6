"""Reads with their visibility rules: catalog (published entries), mine (a user's own)."""
