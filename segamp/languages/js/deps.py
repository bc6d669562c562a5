"""React hook dependency arrays (`useEffect(() => { screen('Home') }, [screen])`).

eslint's react-hooks/exhaustive-deps makes every destructured client method an effect uses a
dependency. Such an array only compares identities, so a method listed there is followed, not
passed on (uses.py); once the pattern no longer holds the name (screen() became track()), the
array lists what its calls now use instead. A method of Segment's hook and the function that replaces it are
both stable across renders, so the effect runs exactly as often as before.
"""
from __future__ import annotations

from typing import Optional

from .kinds import Method
from .syntax import Node

HOOKS_WITH_DEPS = frozenset({"useEffect", "useLayoutEffect", "useInsertionEffect", "useCallback", "useMemo",
                             "useImperativeHandle"})


def is_dependency_array(jf, array: Optional[Node]) -> bool:
    """The last argument (after the first) of a React hook that takes dependencies."""
    if array is None or array.type != "array" or array.parent is None or array.parent.type != "arguments":
        return False
    call = array.parent.parent
    callee = jf.text(call.child_by_field_name("function")) if call is not None else ""
    args = [a for a in array.parent.named_children if a.type != "comment"]
    return callee.split(".")[-1] in HOOKS_WITH_DEPS and len(args) >= 2 and args[-1] == array


def drop_dependencies(jf, printer) -> None:
    """Names a rewritten pattern no longer holds leave the dependency arrays that listed them."""
    if not printer.kept_names:
        return
    for array in (n for n in jf.nodes if n.type == "array" and is_dependency_array(jf, n)):
        items = [c for c in array.named_children]
        if any(c.type == "comment" for c in items) or printer.is_covered(array):
            continue
        names = [jf.text(c) for c in items]
        out: list[str] = []
        for c in items:
            for name in _now(jf, printer, c):
                if name not in out and (name == jf.text(c) or name not in names):
                    out.append(name)
        if out != names:
            printer.edit(array.start_byte, array.end_byte, "[" + ", ".join(out) + "]")


def _now(jf, printer, node: Node) -> list[str]:
    """What a dependency stands for after the rewrite: itself, or the functions the calls of a
    method the pattern no longer holds now use (screen -> track)."""
    kind = jf.kind_of(node) if node.type == "identifier" else None
    if not isinstance(kind, Method) or kind.pattern_id not in printer.kept_names or \
            kind.name in printer.kept_names[kind.pattern_id]:
        return [jf.text(node)]
    return sorted(printer.became.get((kind.pattern_id, kind.name), ()))
