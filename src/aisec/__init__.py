"""aisec: secure AI systems in alignment with ISO/IEC 27090 guidance (alignment, not certification)."""

__version__ = "0.1.0"
