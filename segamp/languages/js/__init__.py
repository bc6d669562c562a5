"""JavaScript / TypeScript: Segment's browser SDK as a front end (bind, match) and a printer.

syntax.py   tree-sitter plumbing: grammars, node helpers, scopes
bind.py     which expressions are Segment clients, across files
match.py    each call on a client -> SegmentCall (Segment's own overload rules)
printer.py  Plan -> edits in JS/TS, spelled with the target profile
handler.py  the engine's handlers (JavaScriptHandler, HtmlHandler) running those steps
"""
