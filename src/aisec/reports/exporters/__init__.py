"""Exporters of aisec knowledge and results into other tools' formats.

OSCAL (compliance-trestle models, NIST JSON schema), CycloneDX ML-BOM, CISO Assistant library
YAML, tracker CSV and SARIF. Each one is a pure function of catalogue/system/result objects that
returns text or a JSON-ready dict; the CLI writes the files. Heavy libraries are imported inside
the functions that need them.
"""
