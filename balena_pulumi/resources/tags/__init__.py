"""Tag kinds: fleet, device and release tags over one provider (``_scope``), and the bulk maps."""
