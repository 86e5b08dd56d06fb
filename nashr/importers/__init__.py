"""Importers from other platforms (WordPress WXR)."""
