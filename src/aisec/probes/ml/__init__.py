"""Classic-ML robustness and privacy tests."""
