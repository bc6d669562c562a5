"""libcst, read-only and in fewer passes: what binding needs from a parsed module.

Two costs dominated Python rewriting (about 0.4 s a file, against ~25 ms for TypeScript):

* ``CSTNode.visit`` rebuilds every node it passes (a dataclass construction with validation)
  even for a read-only ``CSTVisitor``, whose result it then discards, and looks a
  ``visit_<Node>``/``leave_<Node>`` and a ``visit_<Node>_<field>`` method up by name for every
  node and every field. ``fast_visits()`` swaps in a walk that reads the fields in the order
  libcst visits them (taken once per node class from libcst itself), calls only the methods
  a visitor class really defines (looked up once per visitor class and node class), and falls
  back to libcst's own walk for transformers, which do rebuild.
* ``MetadataWrapper.resolve_many`` walks the whole tree once per dependency level just to
  start each provider, runs ``inspect.getmembers`` on every provider for every file, and
  resolves ParentNodeProvider and QualifiedNameProvider with walks of their own.
  ``resolve()`` below runs only what binding reads: one walk records parents, the
  expression-context and scope visitors run themselves, byte spans are generated per module
  statement when first asked (``Spans``: most statements hold no Segment code and need none),
  and qualified names are computed per node on first use, which is what
  QualifiedNameProvider's lazy values did.

The values are libcst's own (its scope visitor, its span rules); only the walking is ours.
"""
from __future__ import annotations

import ast
import bisect
import contextlib
import inspect
import warnings
from typing import Any, Callable, Iterator, Optional

import libcst as cst
from libcst._nodes.internal import CodegenState
from libcst.metadata.expression_context_provider import (
    ExpressionContext,
    ExpressionContextProvider,
    ExpressionContextVisitor,
)
from libcst.metadata.scope_provider import _ASSIGNMENT_LIKE_NODES, ScopeProvider, ScopeVisitor

_CSTNode = cst.CSTNode
_CSTVisitor = cst.CSTVisitor
_libcst_visit = cst.CSTNode.visit


# --- the walk --------------------------------------------------------------------------------
class _FieldRecorder(cst.CSTVisitor):
    """Which fields a node class visits, in order: libcst announces every one of them
    (present or not) through on_visit_attribute, and descends into none here."""

    def __init__(self) -> None:
        self.names: list[str] = []

    def on_visit(self, node: _CSTNode) -> bool:
        return False

    def on_leave(self, original_node: _CSTNode) -> None:
        pass

    def on_visit_attribute(self, node: _CSTNode, attribute: str) -> None:
        self.names.append(attribute)

    def on_leave_attribute(self, original_node: _CSTNode, attribute: str) -> None:
        pass


_FIELDS: dict[type, tuple[str, ...]] = {}
# The one kind of field libcst visits only when it is set (`format_spec` of an f-string's or a
# t-string's expression), so it is not announced either when it is None; every other field is
# announced, set or not (tests/test_python_fastcst.py checks libcst still has only these).
SKIPPED_WHEN_NONE = frozenset({"format_spec"})


def _fields(node: _CSTNode) -> Optional[tuple[str, ...]]:
    """The fields of node's class in visiting order; None while unknown (a sample lacked a
    field that is visited only when set: its place is learnt from a sample that has it)."""
    cls = type(node)
    names = _FIELDS.get(cls)
    if names is None:
        recorder = _FieldRecorder()
        _libcst_visit_children(node, recorder)
        names = tuple(dict.fromkeys(recorder.names))
        if any(getattr(node, f, 0) is None and f not in names for f in SKIPPED_WHEN_NONE):
            return None
        _FIELDS[cls] = names
    return names


def _libcst_visit_children(node: _CSTNode, visitor: cst.CSTVisitor) -> None:
    # with libcst's own walk, whatever visit is installed (the recorder must not recurse)
    saved = _CSTNode.visit
    _CSTNode.visit = _libcst_visit  # type: ignore[method-assign]
    try:
        node._visit_and_replace_children(visitor)
    finally:
        _CSTNode.visit = saved  # type: ignore[method-assign]


class _Dispatch:
    """One visitor class's methods, per node class. Only the classes below CSTVisitor are read:
    what libcst's typed stubs define there are no-ops, and dir() over ~1,000 of them is what
    made libcst's own setup slow."""

    def __init__(self, vcls: type) -> None:
        self.methods: dict[str, Callable] = {}
        for klass in vcls.__mro__:
            if klass is _CSTVisitor:
                break
            for name, fn in vars(klass).items():
                if callable(fn) and not getattr(fn, "_is_no_op", False):
                    self.methods.setdefault(name, fn)
        # a class that overrides the generic hooks gets them called, as libcst would
        self.own_visit = "on_visit" in self.methods
        self.own_leave = "on_leave" in self.methods
        self.own_attr = "on_visit_attribute" in self.methods or "on_leave_attribute" in self.methods
        self.attr_methods = self.own_attr or any(n.count("_") > 1 and n.startswith(("visit_", "leave_"))
                                                 for n in self.methods)
        named = {n.split("_")[1] for n in self.methods if n.startswith(("visit_", "leave_")) and n.count("_") >= 1}
        leave_ok = not self.own_leave or vcls in _LEAVE_NEEDS_NO_TRIVIAL
        self.skip = not (self.own_visit or self.own_attr) and leave_ok and not any(c.__name__ in named for c in TRIVIAL)
        self.nodes: dict[type, tuple] = {}

    def entry(self, node: _CSTNode) -> Optional[tuple]:
        names = _fields(node)
        if names is None:
            return None
        name = type(node).__name__
        get = self.methods.get
        if self.attr_methods:
            fields = tuple((f, get(f"visit_{name}_{f}"), get(f"leave_{name}_{f}"), f in SKIPPED_WHEN_NONE) for f in names)
        else:
            fields = tuple((f, None, None, f in SKIPPED_WHEN_NONE) for f in names)
        entry = self.nodes[type(node)] = (get(f"visit_{name}"), get(f"leave_{name}"), fields)
        return entry


_MaybeSentinel = cst.MaybeSentinel


def _trivial_classes() -> frozenset:
    import inspect
    import libcst._nodes.op as op
    import libcst._nodes.whitespace as ws

    found = {c for m in (op, ws) for c in vars(m).values()
             if isinstance(c, type) and issubclass(c, _CSTNode) and c.__module__ == m.__name__ and not inspect.isabstract(c)}
    return frozenset(found | {cst.LeftParen, cst.RightParen, cst.LeftSquareBracket, cst.RightSquareBracket,
                              cst.LeftCurlyBrace, cst.RightCurlyBrace})


# Whitespace, comments, operators, brackets: nodes holding only each other. A visitor with no
# method for any of them and no generic hook cannot observe their subtrees, which are about
# half of a tree's nodes, so its walk skips them.
TRIVIAL = _trivial_classes()
class _ScopeVisitor(ScopeVisitor):
    """libcst's scope visitor with its per-node hook made cheap: on leaving each node it tests
    the node against 18 abstract-base classes (isinstance through ABCMeta, a fifth of a
    file's scope analysis) and formats a method name to look up; the classes are all final,
    so a set of types answers, and the leave method is looked up once per node class."""

    _leaves: dict = {}

    def on_leave(self, original_node: _CSTNode) -> None:
        self.provider._computed[original_node] = self.scope
        kind = type(original_node)
        if kind in _ASSIGNMENT_LIKE:
            self.scope._assignment_count += 1
        leave = self._leaves.get(kind, _UNSET)
        if leave is _UNSET:
            leave = getattr(ScopeVisitor, f"leave_{kind.__name__}", None)
            leave = self._leaves[kind] = None if getattr(leave, "_is_no_op", False) else leave
        if leave is not None:
            leave(self, original_node)


_UNSET = object()
_ASSIGNMENT_LIKE = frozenset(_ASSIGNMENT_LIKE_NODES)
# libcst's scope visitor records, on leaving each node, the scope it is in; binding never asks
# the scope of whitespace or an operator, so its walk may skip them as well
_LEAVE_NEEDS_NO_TRIVIAL = frozenset({ScopeVisitor, _ScopeVisitor})


def _walk(node: _CSTNode, visitor: Any, d: _Dispatch) -> None:
    entry = d.nodes.get(type(node)) or d.entry(node)
    if entry is None:  # field order not known yet: libcst's walk for this node (children: ours)
        _libcst_visit(node, visitor)
        return
    visit, leave, fields = entry
    if d.own_visit:
        go = visitor.on_visit(node)
    else:
        go = visit is None or visit(visitor, node) is not False
    if go:
        own_attr, skip = d.own_attr, d.skip
        for name, visit_attr, leave_attr, when_set in fields:
            value = getattr(node, name)
            if when_set and value is None:
                continue
            if own_attr:
                visitor.on_visit_attribute(node, name)
            elif visit_attr is not None:
                visit_attr(visitor, node)
            kind = type(value)
            if kind is tuple or kind is list:
                for child in value:
                    if not (skip and type(child) in TRIVIAL):
                        _walk(child, visitor, d)
            elif value is not None and kind is not _MaybeSentinel and not (skip and kind in TRIVIAL):
                _walk(value, visitor, d)  # a visited field that is set holds a node
            if own_attr:
                visitor.on_leave_attribute(node, name)
            elif leave_attr is not None:
                leave_attr(visitor, node)
    if d.own_leave:
        visitor.on_leave(node)
    elif leave is not None:
        leave(visitor, node)


def _visit(self: _CSTNode, visitor: Any):
    if not isinstance(visitor, _CSTVisitor):
        return _libcst_visit(self, visitor)  # a transformer rebuilds: libcst's walk
    vcls = type(visitor)
    # kept on the class itself: visitors defined inside functions are new classes at every
    # call, and are collected with what they cache
    d = vcls.__dict__.get("_segamp_dispatch")
    if d is None:
        d = _Dispatch(vcls)
        setattr(vcls, "_segamp_dispatch", d)
    _walk(self, visitor, d)
    return self


_depth = 0


@contextlib.contextmanager
def fast_visits() -> Iterator[None]:
    """Read-only visits (ours and libcst's scope visitors) take the fast walk meanwhile."""
    global _depth
    if _depth == 0:
        _CSTNode.visit = _visit  # type: ignore[method-assign]
    _depth += 1
    try:
        yield
    finally:
        _depth -= 1
        if _depth == 0:
            _CSTNode.visit = _libcst_visit  # type: ignore[method-assign]


# --- spans: code generation of only the statements asked about ------------------------------
class _SpanState(CodegenState):
    """ByteSpanPositionProvider's rules (spans in UTF-8 bytes, owned whitespace excluded where
    libcst records a syntactic position)."""

    def __init__(self, module: cst.Module) -> None:
        super().__init__(default_indent=module.default_indent, default_newline=module.default_newline)
        self.position = 0
        self.starts: list[int] = []
        self.spans: dict[_CSTNode, tuple[int, int]] = {}

    def add_indent_tokens(self) -> None:
        super().add_indent_tokens()
        for token in self.indent_tokens:
            self.position += len(token) if token.isascii() else len(token.encode("utf-8"))

    def add_token(self, value: str) -> None:
        self.tokens.append(value)
        self.position += len(value) if value.isascii() else len(value.encode("utf-8"))

    def before_codegen(self, node: _CSTNode) -> None:
        self.starts.append(self.position)

    def after_codegen(self, node: _CSTNode) -> None:
        start = self.starts.pop()
        if node not in self.spans:
            self.spans[node] = (start, self.position)

    def record_syntactic_position(self, node: _CSTNode, *, start_node: Optional[_CSTNode] = None,
                                  end_node: Optional[_CSTNode] = None) -> "_Syntactic":
        return _Syntactic(self, node, start_node, end_node)


class Spans:
    """node -> (start, end) byte offsets, generated per module statement on first use.

    Code generation of the whole module (what ByteSpanPositionProvider does) was the largest
    part of resolving a file, and binding asks for the spans of few statements: the ones that
    hold Segment code. A module statement's code, generated alone, is the very text it has in
    the source (a module statement starts at column 0, so it carries no indentation); where
    that text occurs once and only once in the source, that occurrence is the statement, and
    its nodes' spans are the ones generated, moved there. Anything else (a text that occurs
    twice, a module without its last newline, the module itself) generates the whole module,
    as before."""

    def __init__(self, module: cst.Module, tops: dict, text: str) -> None:
        self.module, self.text = module, text
        self.tops = tops     # node -> index of its module statement in _elements (parents_of)
        self._elements = [*module.header, *module.body, *module.footer]
        self.known: dict[_CSTNode, tuple[int, int]] = {}
        self.generated: set[int] = set()   # indexes of the module statements generated (or tried)
        self._done: list[int] = []          # of those generated, in order
        self.whole = False
        self._data: Optional[bytes] = None
        if not module.has_trailing_newline:   # a statement alone would end in the newline it lacks
            self._generate_whole()

    def __getitem__(self, node: _CSTNode) -> tuple[int, int]:
        found = self.known.get(node)
        if found is None:
            self._generate(node)
            found = self.known[node]   # KeyError, as before, for a node code generation skips
        return found

    def get(self, node: _CSTNode, default: Any = None) -> Any:
        try:
            return self[node]
        except KeyError:
            return default

    def __contains__(self, node: object) -> bool:
        return self.get(node) is not None

    def all(self) -> dict[_CSTNode, tuple[int, int]]:
        """Every span, as one code generation of the module gives them."""
        self._generate_whole()
        return self.known

    def bounds(self, node: _CSTNode) -> tuple[int, int]:
        """Offsets that hold node's span, generating nothing new: its span, when its module
        statement was generated, else the room between the generated statements around it
        (the module's statements lie end to end in the source)."""
        index = None if self.whole else self.tops.get(node)
        if index is None or index in self.generated:
            return self[node]
        done, elements, known = self._done, self._elements, self.known
        at = bisect.bisect_left(done, index)
        lo = known[elements[done[at - 1]]][1] if at else 0
        hi = known[elements[done[at]]][0] if at < len(done) else len(self._bytes())
        return lo, hi

    def _bytes(self) -> bytes:
        if self._data is None:
            self._data = self.text.encode("utf-8")
        return self._data

    def _generate(self, node: _CSTNode) -> None:
        if self.whole:
            return
        index = self.tops.get(node)
        if index is None:   # the module itself, or a node of another tree
            self._generate_whole()
            return
        if index in self.generated:
            return
        self.generated.add(index)
        state = _SpanState(self.module)
        self._elements[index]._codegen(state)
        code = "".join(state.tokens).encode("utf-8")
        data = self._bytes()
        at = data.find(code)
        if not code or at < 0 or data.find(code, at + 1) >= 0:
            self._generate_whole()
            return
        known = self.known
        for n, (start, end) in state.spans.items():
            known[n] = (start + at, end + at)
        bisect.insort(self._done, index)

    def _generate_whole(self) -> None:
        if not self.whole:
            state = _SpanState(self.module)
            self.module._codegen(state)
            self.known, self.whole = state.spans, True


class _Syntactic:
    """SpanProvidingCodegenState.record_syntactic_position, without a generator per node."""

    __slots__ = ("state", "node", "start_node", "end_node", "start")

    def __init__(self, state: _SpanState, node: _CSTNode, start_node: Optional[_CSTNode],
                 end_node: Optional[_CSTNode]) -> None:
        self.state, self.node, self.start_node, self.end_node = state, node, start_node, end_node

    def __enter__(self) -> None:
        self.start = self.state.position

    def __exit__(self, *exc: object) -> None:
        spans = self.state.spans
        start = spans[self.start_node][0] if self.start_node is not None else self.start
        end = spans[self.end_node][1] if self.end_node is not None else self.state.position
        spans[self.node] = (start, end)


class QualifiedNames:
    """node -> its qualified names, computed on first use from the node's scope."""

    def __init__(self, scopes: dict) -> None:
        self.scopes = scopes
        self.memo: dict[_CSTNode, set] = {}

    def __getitem__(self, node: _CSTNode) -> set:
        found = self.memo.get(node)
        if found is None:
            scope = self.scopes.get(node)
            found = self.memo[node] = scope.get_qualified_names_for(node) if scope else set()
        return found


def parents_of(module: cst.Module) -> tuple[dict, dict]:
    """(node -> parent, node -> index of its module statement among the module's header lines,
    statements and footer lines), for every node below the module, in the order a visitor
    meets them."""
    parents: dict[_CSTNode, _CSTNode] = {}
    tops: dict[_CSTNode, int] = {}
    known = _FIELDS

    def down(node: _CSTNode, top: int) -> None:
        names = known.get(type(node)) or _fields(node)
        if names is None:   # field order not learnt yet: libcst's own list of the children
            for child in node.children:
                parents[child], tops[child] = node, top
                down(child, top)
            return
        for name in names:
            value = getattr(node, name)
            kind = type(value)
            if kind is tuple or kind is list:
                for child in value:
                    parents[child], tops[child] = node, top
                    down(child, top)
            elif value is not None and kind is not _MaybeSentinel:
                parents[value], tops[value] = node, top
                down(value, top)

    # a Module visits header, body and footer, in that order
    for index, element in enumerate((*module.header, *module.body, *module.footer)):
        parents[element], tops[element] = module, index
        down(element, index)
    return parents, tops


def resolve(module: cst.Module, text: Optional[str] = None) -> tuple[Spans, dict, dict, QualifiedNames]:
    """(spans as (start, end) byte offsets, parents, scopes, qualified names) of a module
    parsed from text (module.code when not given)."""
    parents, tops = parents_of(module)
    spans = Spans(module, tops, module.code if text is None else text)
    contexts = ExpressionContextProvider()
    scopes = ScopeProvider()
    with fast_visits():
        module.visit(ExpressionContextVisitor(contexts, ExpressionContext.LOAD))
        scopes.metadata = {ExpressionContextProvider: contexts._computed}
        visitor = _ScopeVisitor(scopes)
        module.visit(visitor)
        visitor.infer_accesses()
    return spans, parents, scopes._computed, QualifiedNames(scopes._computed)


def dotted_name(node: _CSTNode) -> str:
    """`a.b.c` of a Name or an Attribute chain of names (an import's module or alias), without
    the whitespace the source may have around its dots and without asking for a span."""
    if type(node) is cst.Attribute:
        return f"{dotted_name(node.value)}.{node.attr.value}"
    return node.value if type(node) is cst.Name else ""


def concrete_subclasses(cls: type) -> set[type]:
    """Every class below cls that is not abstract (for `type(x) in …` in place of isinstance
    against an ABC, which goes through ABCMeta on every call)."""
    out: set[type] = set()
    for sub in cls.__subclasses__():
        if not inspect.isabstract(sub):
            out.add(sub)
        out |= concrete_subclasses(sub)
    return out


# --- parse once, and only when a tree is needed ------------------------------------------------
def parse_module(text: str) -> cst.Module:
    """libcst's parse, without validating every node as the parser builds it: the parser builds
    only what the grammar allows, and the checks were a tenth of the parse (libcst's own note
    in CSTNode.__post_init__ says validation could move out of parsing). Nodes built later, by
    a transformer or with_changes, are validated as ever."""
    _CSTNode.__post_init__ = _no_validation  # type: ignore[method-assign]
    try:
        return cst.parse_module(text)
    finally:
        # libcst's own, taken at import: whatever happened meanwhile, validation is back
        _CSTNode.__post_init__ = _VALIDATES  # type: ignore[method-assign]


def _no_validation(self: _CSTNode) -> None:
    pass


_VALIDATES = _CSTNode.__dict__["__post_init__"]


def cpython_parses(text: str) -> bool:
    """Does CPython's own parser (C, ~5x faster than libcst's) accept the text?"""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # invalid escapes and the like: not ours to report
            compile(text, "<segamp>", "exec", ast.PyCF_ONLY_AST, dont_inherit=True)
        return True
    except (SyntaxError, ValueError, RecursionError, MemoryError, OverflowError):
        return False


class LazyModule:
    """The libcst module of a text CPython accepted, parsed on first use. The engine parses
    every rewritten text again only to learn whether it still parses; that needs no tree.
    Should libcst's grammar reject what CPython accepted, the owning Parsed gets libcst's
    message (as if parsed eagerly) and the error is raised to the caller."""

    __slots__ = ("text", "parsed", "message", "module")

    def __init__(self, text: str, parsed: Any, message: Callable[[Exception], str]) -> None:
        self.text, self.parsed, self.message = text, parsed, message
        self.module: Optional[cst.Module] = None

    def get(self) -> cst.Module:
        if self.module is None:
            try:
                self.module = parse_module(self.text)
            except (cst.ParserSyntaxError, RecursionError) as exc:
                self.parsed.tree, self.parsed.error = None, self.message(exc)
                raise
        return self.module


def module_of(tree: Any) -> Optional[cst.Module]:
    return tree.get() if isinstance(tree, LazyModule) else tree


__all__ = ["LazyModule", "QualifiedNames", "Spans", "parents_of", "concrete_subclasses", "cpython_parses", "dotted_name", "parse_module", "fast_visits", "module_of", "resolve"]
