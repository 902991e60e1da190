"""Renderers and exporters over analysis results: pure functions, no I/O inside."""
