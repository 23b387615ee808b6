"""Forms: the library's filters (catalog), parameters and document editing (mine)."""
