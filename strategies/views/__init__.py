"""Thin views: catalog (library and detail pages), mine (a user's strategies), docs."""
