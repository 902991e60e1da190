"""LLM application probes."""
