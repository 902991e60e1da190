"""Findings of probes turned into evidence for controls and threats."""

from aisec.evidence.apply import EvidenceIndex, index_evidence
from aisec.evidence.load import load_evidence

__all__ = ["EvidenceIndex", "index_evidence", "load_evidence"]
