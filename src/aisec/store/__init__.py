"""aisec.store"""
