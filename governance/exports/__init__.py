"""Terreau."""
