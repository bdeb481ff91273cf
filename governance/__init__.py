"""Governance rules engine: pure rules, use-case services and persistence."""
