"""Importers that start system descriptions from what an organisation already has.

A CycloneDX ML-BOM or an AI-inventory sheet says some of what aisec needs (models, datasets,
suppliers) and never all of it (exposure, tools, rendering, business impact). What the source
cannot say is filled with a cautious placeholder and a numbered question, written as a comment
next to the field and listed in the import report, so nobody mistakes a guess for a fact.
"""

from aisec.system.importers.scaffold import ImportedSystem, Question, slug

__all__ = ["ImportedSystem", "Question", "slug"]
