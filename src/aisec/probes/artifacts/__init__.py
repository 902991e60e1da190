"""Model-artifact scanner."""
