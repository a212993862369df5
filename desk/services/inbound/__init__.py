"""The email channel: receive (store raw first), parse, and process into cases."""
