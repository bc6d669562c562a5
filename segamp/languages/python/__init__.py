"""Python: segment-analytics-python (and the legacy analytics-python) → amplitude-analytics.

bind.py     which receivers are Segment clients, the module client's home, cross-file exports
match.py    each call → a SegmentCall by Segment's positional signatures
printer.py  a Plan → amplitude-analytics code
rewrite.py  one file: walk, match, map (segamp.core.mapping), print, place edits and notes
handler.py  PythonHandler: what the engine calls
"""
from .handler import PythonHandler

__all__ = ["PythonHandler"]
