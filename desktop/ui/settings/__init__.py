"""Administrator pages (practitioners …)."""
