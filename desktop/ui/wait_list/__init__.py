"""The wait list on the desk: its window, the entry dialog, offers of freed slots."""
