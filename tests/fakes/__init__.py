"""Test doubles of external services used by Frontdesk's tests."""
