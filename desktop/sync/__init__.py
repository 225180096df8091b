"""Client side of the remote store: local replica, mutation outbox, push and pull."""
