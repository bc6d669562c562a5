"""Uses of a client other than its calls: where the client value goes.

A client handed to code segamp cannot follow (an unknown function, a third-party wrapper, a
method reference given to an executor) would receive an Amplitude client it was not written
for: each such use is a finding that blocks the client (the closure rule). Uses that stay
valid on an Amplitude client (isinstance, truth tests, a parameter annotated as a client, the
methods Amplitude has under the same name) do not.
"""
from __future__ import annotations

import re
from typing import TYPE_CHECKING, Optional

import libcst as cst
from libcst.metadata import QualifiedNameSource

from ...core.findings import shorten
from ...core.mapping import source_table
from . import keys as K
from .bind import imported_qnames

if TYPE_CHECKING:
    from .rewrite import FileRewrite

# callees that only look at the value, whatever its type
HARMLESS_CALLEES = {"isinstance", "id", "bool", "type", "print", "repr", "callable", "hasattr"}
# methods Amplitude's client has under the same name and meaning: a reference to one stays valid
SAME_NAME_METHODS = {"flush", "shutdown"}


def report_value_uses(rw: "FileRewrite", refs: list[cst.CSTNode], calls: list[cst.Call]) -> None:
    """client-passed-on / unknown-method findings for every use of a client value that
    segamp cannot convert or follow."""
    b = rw.b

    def settled(ref: cst.CSTNode) -> bool:   # asked last: it may generate the statement's spans
        return rw.inside_replaced(ref) or rw._in_import(ref)

    for ref in refs:
        parent = rw.f.parents.get(ref)
        if isinstance(ref, cst.Attribute) and _is_member_read(rw, ref, parent):
            key = _live_key(rw, ref.value)
            # module members: _convert_references
            if key is not None and not b.seg_module_raw(ref.value) and not settled(ref):
                _member_use(rw, ref, parent, key)
            continue
        if isinstance(parent, cst.Attribute) and parent.value is ref:
            continue  # the receiver of a call or member: judged with it
        if isinstance(parent, (cst.Arg, cst.Return)) and parent.value is ref:
            key = _live_key(rw, ref)
            if key is not None and not settled(ref):
                _escape(rw, ref, parent, key)
    for call in calls:
        if not b.is_constructor(call):
            continue
        parent = rw.f.parents.get(call)
        if isinstance(parent, cst.Arg):
            key = b.canonical(b.creation_key(call))
            if key not in rw.ctx.blocked:
                _escape(rw, call, parent, key)
        elif not _bound_where_created(rw, call):
            key = b.canonical(b.creation_key(call))
            if key not in rw.ctx.blocked:
                rw.finding("client-passed-on", call, note=True, blocks=key, callee=_receiver_of(rw, call))
                rw.keep(call)


def _bound_where_created(rw: "FileRewrite", call: cst.Call) -> bool:
    """Does the binder follow the client a constructor makes there: assigned to a name or a
    self/cls attribute (possibly `Client(k) if k else None`), returned, the receiver of a call,
    or discarded. In a list, a dict, a subscript, a lambda... its uses are unknown: converting
    it would leave them calling Amplitude's client with Segment's arguments."""
    node, parent = call, rw.f.parents.get(call)
    while isinstance(parent, cst.IfExp) and parent.test is not node and _is_none(
            parent.orelse if parent.body is node else parent.body):
        node, parent = parent, rw.f.parents.get(parent)
    if isinstance(parent, cst.Return):
        # a top-level function's return is followed to its callers (a factory); a method's or
        # a nested function's reaches them through objects segamp does not follow
        # (`site.config.segment_client.track(...)` in another file)
        fn = rw.b.enclosing(parent, cst.FunctionDef)
        return fn is not None and rw.f.parents.get(fn) is rw.f.module
    if isinstance(parent, cst.Expr):
        return True
    if isinstance(parent, cst.Attribute) and parent.value is node:
        return True
    if isinstance(parent, cst.Assign) and parent.value is node and len(parent.targets) == 1:
        return _followed_target(parent.targets[0].target)
    if isinstance(parent, cst.AnnAssign) and parent.value is node:
        return _followed_target(parent.target)
    return False


def _followed_target(target: cst.BaseExpression) -> bool:
    return isinstance(target, cst.Name) or (
        isinstance(target, cst.Attribute) and isinstance(target.value, cst.Name))


def _is_none(node: cst.CSTNode) -> bool:
    return isinstance(node, cst.Name) and node.value == "None"


def _receiver_of(rw: "FileRewrite", call: cst.Call) -> str:
    """Who gets the client a constructor makes: a method's callers, or the expression holding it."""
    parent = rw.f.parents.get(call)
    fn = rw.b.enclosing(call, cst.FunctionDef) if isinstance(parent, cst.Return) else None
    if fn is not None:
        cls = rw.b.enclosing_class(fn)
        return f"the callers of {cls.name.value + '.' if cls is not None else ''}{fn.name.value}()"
    return shorten(" ".join(rw.code(_holder(rw, call)).split()), 60)


def _holder(rw: "FileRewrite", call: cst.Call) -> cst.CSTNode:
    """The outermost expression holding the constructor, within its statement."""
    holder, node = call, rw.f.parents.get(call)
    while node is not None and not isinstance(node, (cst.BaseSmallStatement, cst.BaseCompoundStatement, cst.Module)):
        if isinstance(node, cst.BaseExpression):
            holder = node
        node = rw.f.parents.get(node)
    return holder


def _live_key(rw: "FileRewrite", node: cst.BaseExpression) -> Optional[str]:
    """The key of a client this run migrates, or None."""
    if not isinstance(node, (cst.Name, cst.Attribute, cst.Call)):
        return None
    key = rw.b.client_key(node)
    return key if key is not None and key not in rw.ctx.blocked else None


def _is_member_read(rw: "FileRewrite", ref: cst.Attribute, parent) -> bool:
    """`client.x` used as a value: neither a call's callee nor an assignment target."""
    if isinstance(parent, cst.Call) and parent.func is ref:
        return False
    if isinstance(parent, (cst.AssignTarget, cst.AugAssign, cst.Del)) or (isinstance(parent, cst.AnnAssign) and parent.target is ref):
        return False
    return True


def _member_use(rw: "FileRewrite", ref: cst.Attribute, parent, key: str) -> None:
    if ref.attr.value in SAME_NAME_METHODS:
        return
    if rw.method_reference(ref, rw.code(ref.value), key):
        return
    if isinstance(parent, cst.Arg) and parent.value is ref:
        _escape(rw, ref, parent, key)
        return
    rw.finding("unknown-method", ref, note=True, blocks=key, method=ref.attr.value,
               help="rewrite it against the Amplitude client by hand")
    rw.keep(ref)


def _escape(rw: "FileRewrite", value: cst.CSTNode, parent, key: str) -> None:
    """A client value given to a callee (or returned to a caller) segamp cannot follow."""
    if isinstance(parent, cst.Return):
        fn = rw.b.enclosing(parent, cst.FunctionDef)
        if fn is not None and rw.f.parents.get(fn) is rw.f.module and rw.b.factory_key(fn.name.value) is not None:
            return  # a factory: its callers are followed
        callee = f"the callers of {fn.name.value}()" if fn is not None else "return"
    else:
        call = rw.f.parents.get(parent)
        if not isinstance(call, cst.Call):
            return
        name = call.func.value if isinstance(call.func, cst.Name) else None
        if name in HARMLESS_CALLEES or rw.b.takes_client(call, parent):
            return
        callee = " ".join(rw.code(call.func).split())
    rw.finding("client-passed-on", value, note=True, blocks=key, callee=callee)
    rw.keep(value)


def reference_key(rw: "FileRewrite", ref: cst.CSTNode) -> Optional[str]:
    """The client a reference to the Client class types: the annotated parameter's or
    attribute's client, a factory's return, else every client of that type."""
    b = rw.b
    cur, child = rw.f.parents.get(ref), ref
    while cur is not None and not isinstance(cur, (cst.Annotation, cst.SimpleStatementLine, cst.BaseCompoundStatement)):
        cur, child = rw.f.parents.get(cur), cur
    key = None
    if isinstance(cur, cst.Annotation):
        owner = rw.f.parents.get(cur)
        if isinstance(owner, cst.Param):
            key = b.param_key(owner)
        elif isinstance(owner, cst.AnnAssign):
            key = b.attribute_annotation_key(owner)
        elif isinstance(owner, cst.FunctionDef) and owner.name.value in b.functions:
            key = b.factory_key(owner.name.value)
    if key is None:
        key = K.typed_key(b.package_of(ref))
    return b.canonical(key)


def leaves_segment_code(rw: "FileRewrite", refs: list[cst.CSTNode], calls: list[cst.Call]) -> bool:
    """Does this file hold code of a client the closure rule leaves? Then its Segment imports
    stay as they are."""
    blocked = rw.ctx.blocked
    if not blocked:
        return False
    b = rw.b
    if b.module_key() in blocked and (rw.f.sets_write_key or any(b.seg_module_raw(r) or b.seg_function(r) for r in refs)):
        return True
    if any(b.is_constructor(c) and b.canonical(b.creation_key(c)) in blocked for c in calls):
        return True
    for ref in refs:
        if b.is_client_class(ref) and reference_key(rw, ref) in blocked:
            return True
        if isinstance(ref, (cst.Name, cst.Attribute)) and b.client_key(ref) in blocked:
            return True
    return False


def report_shadowed_write_key(rw: "FileRewrite", assigns: list[cst.Assign]) -> None:
    """`analytics.write_key = …` on an `import analytics` segamp does not take for Segment's
    (a project module `analytics` at the import root shadows it): reported, never clean,
    since only Segment's SDK reads that setting."""
    if rw.f.legacy_ok:
        return
    for node in assigns:
        target = node.targets[0].target if len(node.targets) == 1 else None
        if not (isinstance(target, cst.Attribute) and target.attr.value == "write_key" and isinstance(target.value, cst.Name)):
            continue
        if any(q.source == QualifiedNameSource.IMPORT and q.name == "analytics" for q in imported_qnames(rw.f, target.value)):
            rw.finding("legacy-module-shadowed", node)


# `mock.patch("segment.analytics.track")`: a string naming a function of the Segment module;
# legacy analytics-python's `mock.patch("analytics.track")` where that module is Segment's
_MOCK_TARGET = re.compile(r"^segment\.analytics(?:\.client)?\.(\w+)$")
_LEGACY_MOCK_TARGET = re.compile(r"^analytics(?:\.client)?\.(\w+)$")
_LEGACY_TARGET_TEXT = re.compile(r"""['"]analytics\.\w+['"]""")


def convert_mock_targets(rw: "FileRewrite") -> None:
    """Strings naming a module function of Segment that a patch call takes as its target
    become the one Amplitude client's method where that is certain, else are reported. Such
    a string anywhere else (a mock registry's label, a constant) is left and reported: segamp
    cannot tell whether it is a target, and renaming a label in one file but not where it is
    looked up would break the lookup."""
    if rw.f.own_segment or rw.b.module_key() in rw.ctx.blocked:
        return
    segment = "segment.analytics" in rw.src.text
    legacy = bool(_LEGACY_TARGET_TEXT.search(rw.src.text)) and _legacy_is_segment(rw)
    if not (segment or legacy):
        return  # the last test: no patch target can name the SDK, so no tree walk
    strings = rw.f.nodes_of(cst.SimpleString)
    methods = source_table("python").get("methods", {})
    home = K.client_home(rw.ctx.cache, rw.src.path)
    for node in strings:
        value = node.evaluated_value if not rw.inside_replaced(node) else None
        m = _MOCK_TARGET.match(value) if isinstance(value, str) else None
        targeted = m is not None and _is_patch_target(rw, node)
        if m is None and legacy and isinstance(value, str):
            # the legacy module's name is a common word: only a patch call's target is taken for it
            m = _LEGACY_MOCK_TARGET.match(value)
            targeted = m is not None and _is_patch_target(rw, node)
            m = m if targeted else None
        if m is None or m.group(1) not in methods:
            continue
        old, method = m.group(0), m.group(1)
        at = _first_decorator(rw, node)
        takes = methods[method]
        target = re.match(r"^(\w+)(?:\(|$)", takes)
        why = ("it is not the target of a patch call segamp can follow (mock.patch, mocker.patch, "
               "monkeypatch.setattr), so it may be a label looked up elsewhere" if not targeted else
               "no file of its distribution (up to the nearest folder with a project file) sets `analytics.write_key`" if home is None else
               home.problem if home.problem else
               f"it becomes {takes} on Amplitude" if target is None else "")
        if why:
            rw.finding("mock-target-left", node, note=True, note_at=at, old=old, method=method, why=why, takes=takes)
            continue
        from .bind import dotted_module
        from .keys import ENTRIES
        new = f"{dotted_module(home.path, rw.ctx.cache.get(ENTRIES, ()))}.{home.name}.{target.group(1)}"  # type: ignore[union-attr]
        quote = node.quote
        rw.replace(node, node.prefix + quote + new + quote)
        if takes != target.group(0):  # type: ignore[union-attr]  (flush, shutdown: no arguments either way)
            rw.finding("mock-target-rewritten", node, note=True, note_at=at, old=old, new=new, takes=takes)


def _legacy_is_segment(rw: "FileRewrite") -> bool:
    """Is `analytics` Segment's legacy analytics-python for this file: the project sets its
    write key or depends on it, and no project module `analytics` shadows it here."""
    from .keys import ENTRIES
    from .paths import own_analytics_module

    evidence = rw.ctx.evidence
    if "py:legacy-analytics" not in evidence and "pypi:analytics-python" not in evidence:
        return False
    return not own_analytics_module(rw.src.path, rw.ctx.cache.get(ENTRIES, ()))


# callees whose first argument (or target=) is a dotted patch target
_PATCH_CALLEES = {"patch"}


def _is_patch_target(rw: "FileRewrite", node: cst.SimpleString) -> bool:
    """Is the string the target of `mock.patch(…)` / `patch(…)` / `mocker.patch(…)` (first
    argument or target=), or of `monkeypatch.setattr("dotted.name", value)`?"""
    arg = rw.f.parents.get(node)
    call = rw.f.parents.get(arg) if isinstance(arg, cst.Arg) else None
    if not isinstance(call, cst.Call) or arg.star:  # type: ignore[union-attr]
        return False
    func = call.func
    name = func.value if isinstance(func, cst.Name) else func.attr.value if isinstance(func, cst.Attribute) else ""
    first = call.args[0] is arg and arg.keyword is None  # type: ignore[union-attr]
    if name in _PATCH_CALLEES:
        return first or (arg.keyword is not None and arg.keyword.value == "target")  # type: ignore[union-attr]
    if name == "setattr" and isinstance(func, cst.Attribute) and isinstance(func.value, cst.Name):
        return first and func.value.value == "monkeypatch" and len(call.args) == 2
    return False


def _first_decorator(rw: "FileRewrite", node: cst.CSTNode) -> Optional[cst.CSTNode]:
    """A string inside a decorator: the first decorator of its function (notes go above it)."""
    cur = rw.f.parents.get(node)
    while cur is not None and not isinstance(cur, (cst.Decorator, cst.SimpleStatementLine, cst.BaseCompoundStatement)):
        cur = rw.f.parents.get(cur)
    owner = rw.f.parents.get(cur) if isinstance(cur, cst.Decorator) else None
    return owner.decorators[0] if isinstance(owner, (cst.FunctionDef, cst.ClassDef)) else None
