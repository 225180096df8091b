"""Small reusable widgets (the patient type-ahead)."""
