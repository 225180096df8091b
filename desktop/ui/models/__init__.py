"""Qt item models over the domain's frozen values (lists of patients, attendees …).

Each model holds plain domain objects and is reset as a whole when its screen
reloads; none of them reads the database itself.
"""
