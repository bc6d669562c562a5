"""The language-neutral middle of the pipeline: SegmentCall in, Plan out.

calls.py     what a front end produces: SegmentCall and Expr handles
plan.py      what a printer consumes: Amplitude operations and values
mapping.py   SegmentCall + target profile + config -> Plan (every mapping decision, once)
profiles.py  rules/targets/*.toml: what a target SDK looks like
findings.py  rules/findings.toml: the one catalog of finding ids
notes.py     TODO(segamp) notes, shared by every printer
"""
