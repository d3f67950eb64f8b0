"""Variable kinds: seven scopes, one provider (``_scope``), and the bulk maps."""
