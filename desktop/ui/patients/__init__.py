"""Finding patients and seeing one patient's details and appointments."""
