"""Carer views, one module per workflow: records.py (the household's
details), approval.py (checks, assessment, moves, decision, reviews),
pipeline.py (the approval pipeline) and panels.py (panel meetings)."""
