"""aisec.analysis"""
