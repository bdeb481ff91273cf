"""Use cases: the only writers.

Each checks the actor's role, runs in one transaction and appends its audit event.
"""
