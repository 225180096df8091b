"""Pure-Python core of Frontdesk: entities, money, time and the booking rules.

Nothing here imports Qt, SQL or does I/O, so every rule can be tested alone and
reused by the desktop, the server and the sync client alike.
"""
