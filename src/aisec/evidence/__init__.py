"""aisec.evidence"""
