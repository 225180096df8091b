"""The remote store: an HTTP API over PostgreSQL that several clinic PCs share."""
