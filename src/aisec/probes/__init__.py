"""Technical verification: artifact scanning, LLM probes, classic-ML tests.

Every probe family emits `Finding`s wrapped in an `EvidenceReport` (see `finding.py`), so any of
their JSON outputs can be handed to `aisec assess --evidence FILE`.
"""
