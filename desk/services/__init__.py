"""Use cases. Each takes a Session and plain values, owns its transaction, never imports Flask."""
