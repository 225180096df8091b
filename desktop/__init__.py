"""Frontdesk: the front-desk calendar for small allied-health clinics."""

__version__ = "0.1.0"
