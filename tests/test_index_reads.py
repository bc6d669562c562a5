"""A file is not indexed again when every fact it read gives the same answer (languages/reads.py):
the reads are recorded, compared rightly, and skipping changes no output."""
from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from segamp import engine
from segamp.cli import main
from segamp.languages.base import IndexFacts, ProjectContext
from segamp.languages.reads import evidence_matching, export_keys_ending, same_answers, track
from segamp.config import Config

ROOT = Path(__file__).resolve().parent.parent


def _ctx(facts: IndexFacts) -> ProjectContext:
    ctx = ProjectContext(config=Config(), roots=["/p"])
    ctx.load_facts(facts, 1)
    return ctx


def _reads(ctx: ProjectContext, read) -> frozenset:
    reads: set = set()
    track(ctx, reads)
    try:
        read(ctx)
    finally:
        track(ctx, None)
    return frozenset(reads)


A = IndexFacts(exports={"/p/a": {"client": {"t": "client"}}}, evidence={"js-origin:x|/p/a.ts#c", "snippet"},
               cache={"py:homes": {"/p/a.py": "analytics"}})


def _with(**changes) -> IndexFacts:
    facts = IndexFacts(exports={k: dict(v) for k, v in A.exports.items()}, evidence=set(A.evidence),
                       cache={k: dict(v) for k, v in A.cache.items()})
    for name, value in changes.items():
        setattr(facts, name, value)
    return facts


@pytest.mark.parametrize("what,read,changed,same", [
    ("a key looked up", lambda c: c.exports.get("/p/a"),
     _with(exports={"/p/a": {"client": {"t": "hook"}}}), _with(exports={**A.exports, "/p/b": {}})),
    ("a key tested", lambda c: "/p/b" in c.exports,
     _with(exports={**A.exports, "/p/b": {}}), _with(exports={"/p/a": {}})),
    ("the keys iterated", lambda c: list(c.exports),
     _with(exports={**A.exports, "/p/b": {}}), _with()),
    ("a suffix query", lambda c: export_keys_ending(c.exports, ("/a",)),
     _with(exports={**A.exports, "/q/a": {}}), _with(exports={**A.exports, "/p/b": {}})),
    ("an evidence item", lambda c: "snippet" in c.evidence,
     _with(evidence={"js-origin:x|/p/a.ts#c"}), _with(evidence={"snippet", "other"})),
    ("an evidence prefix", lambda c: evidence_matching(c.evidence, "js-origin:x|"),
     _with(evidence={"snippet", "js-origin:x|/p/b.ts#d"}), _with(evidence={"js-origin:x|/p/a.ts#c"})),
    ("a fact", lambda c: c.cache.get("py:homes"),
     _with(cache={"py:homes": {"/p/b.py": "analytics"}}), _with(cache={**A.cache, "py:entries": {"/p/m.py"}})),
    ("a fact absent", lambda c: c.cache.get("py:entries"),
     _with(cache={**A.cache, "py:entries": {"/p/m.py"}}), _with(cache={})),
])
def test_a_read_is_recorded_and_compared_by_its_answer(what, read, changed, same):
    reads = _reads(_ctx(A), read)
    assert reads, what
    assert same_answers(reads, A, A)
    assert not same_answers(reads, A, changed), what
    assert same_answers(reads, A, same), what


def test_a_memo_of_the_cache_is_no_dependency():
    # a module's own memo (a name no round's facts hold) is derived from the file
    reads = _reads(_ctx(A), lambda c: c.cache.get("py:project-roots"))
    assert same_answers(reads, A, _with(cache={**A.cache}))


def test_nothing_is_recorded_outside_an_index():
    ctx = _ctx(A)
    reads: set = set()
    track(ctx, reads)
    track(ctx, None)
    ctx.exports.get("/p/a"), list(ctx.evidence), ctx.cache.get("py:homes")
    assert not reads


def _corpus(tmp_path: Path) -> Path:
    for project in sorted((ROOT / "fixtures" / "projects").iterdir()):
        if (project / "input").is_dir():
            shutil.copytree(project / "input", tmp_path / project.name)
    return tmp_path


def _dry_run(path: Path) -> str:
    result = CliRunner().invoke(main, ["rewrite", str(path), "--dry-run", "--format", "json", "--no-progress", "--jobs", "1"])
    assert result.exception is None or isinstance(result.exception, SystemExit), result.output
    return result.output


def test_skipping_unchanged_files_changes_no_output_and_skips_some(tmp_path, monkeypatch):
    corpus = _corpus(tmp_path)
    runs: dict[str, int] = {}
    real = engine._FileWork._index

    def counting(self, i, cand, src):
        before = self.indexed.get(i)
        ops = real(self, i, cand, src)
        if before is None or self.indexed[i][2] is not before[2]:
            runs[cand.entry.path] = runs.get(cand.entry.path, 0) + 1
        return ops

    monkeypatch.setattr(engine._FileWork, "_index", counting)
    with_reuse = _dry_run(corpus)
    indexed_with = dict(runs)
    runs.clear()
    monkeypatch.setattr(engine, "REUSE_UNCHANGED_READS", False)
    without = _dry_run(corpus)
    assert with_reuse == without
    assert sum(indexed_with.values()) < sum(runs.values())
    # a file that reads another module's export is indexed again once that export is known
    importer = next(p for p in indexed_with if p.endswith("py_reexport_from_later_module/svc/b_signup.py"))
    assert indexed_with[importer] >= 2
    assert any(n == 1 for n in indexed_with.values())
