"""aisec.web"""
