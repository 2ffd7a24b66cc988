"""Exam logic with no Flask or HTTP in it: paper assembly, scoring, drills."""
