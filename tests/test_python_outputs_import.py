"""Acceptance 3 of issue 12: every expected Python output under fixtures/ compiles and imports
with the real amplitude-analytics installed (module-level code runs: clients are constructed,
settings applied), as the TypeScript outputs are type-checked.

Single-file cases import expected.py (with the case's sibling modules, inside a package when
they include its __init__); projects import every module of input/ overlaid with expected/. The
inputs must import too, with the real segment-analytics-python: a fixture is a whole module, not
a fragment with undefined names, so no output is excused because its input could not run either.
Only third-party packages that are not installed are stubbed (STUBS: flask, fastapi, django,
celery, pydantic, a wrapper package, legacy analytics-python), each with the few names the
fixtures use.
"""
from __future__ import annotations

import importlib.util
import os
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PY_CASES = sorted(p for p in (ROOT / "fixtures" / "python").iterdir() if (p / "expected.py").is_file())
PROJECTS = sorted(p for p in (ROOT / "fixtures" / "projects").glob("py_*") if (p / "expected").is_dir())
ENV = {"AMPLITUDE_API_KEY": "APIKEY", "SEGMENT_WRITE_KEY": "WRITEKEY", "SEGMENT_REPORTS_WRITE_KEY": "WRITEKEY2", "AMPLITUDE_SERVER_URL": "http://127.0.0.1:9/2/httpapi"}

pytestmark = pytest.mark.skipif(importlib.util.find_spec("amplitude") is None,
                                reason="needs amplitude-analytics (pip install -e '.[test]')")

# minimal stand-ins for frameworks the fixtures import but the test environment lacks
STUBS = {
    "flask": "class _Config(dict):\n    def from_mapping(self, **k): self.update(k)\n"
             "class Flask:\n    def __init__(self, *a, **k): self.config, self.extensions = _Config(TESTING=False), {}\n"
             "    def teardown_appcontext(self, f): return f\n    def register_blueprint(self, bp): pass\n"
             "class Blueprint:\n    def __init__(self, *a, **k): pass\n"
             "    def __getattr__(self, name): return lambda *a, **k: (lambda f: f)\n"
             "class _Request:\n    form = {}\nrequest = _Request()\n",
    "fastapi": "def Depends(f=None): return f\nclass APIRouter:\n    def __init__(self, *a, **k): pass\n"
               "    def __getattr__(self, name): return lambda *a, **k: (lambda f: f)\n"
               "    def include_router(self, *a, **k): pass\nclass FastAPI(APIRouter): pass\n",
    "django": "", "django.apps": "class AppConfig: pass\n",
    "django.db": "", "django.db.models": "class Model: pass\n"
                 "def __getattr__(name): return lambda *a, **k: None\n",
    "celery.signals": "class _Signal:\n    def connect(self, f=None, **k): return f if f else (lambda g: g)\n"
                      "def __getattr__(name): return _Signal()\n",
    "django.conf": "class _S:\n    def __getattr__(self, n): return 'X'\nsettings = _S()\n",
    "celery": "class Celery:\n    def __init__(self, *a, **k): pass\n"
              "    def autodiscover_tasks(self, *a, **k): pass\n"
              "    def task(self, *a, **k): return (lambda f: f) if not a or not callable(a[0]) else a[0]\n"
              "def shared_task(*a, **k): return (lambda f: f) if not a or not callable(a[0]) else a[0]\n",
    "django.http": "class JsonResponse(dict):\n    def __init__(self, data=None, **k): super().__init__(data or {})\n",
    "pydantic": "class BaseModel:\n    def __init__(self, **k): self.__dict__.update(k)\n",
    # a third-party wrapper of Segment's client (py_wrapper_*): it only stores the client
    "eventbus_segment": "class EventBus:\n    def __init__(self, segment=None, **k): self.segment = segment\n",
    # legacy analytics-python (not installed: it is the same module API as segment.analytics)
    "analytics": "write_key = None\nclass Client:\n    def __init__(self, *a, **k): pass\n"
                 "    def __getattr__(self, name): return lambda *a, **k: None\n"
                 "def __getattr__(name): return lambda *a, **k: None\n",
}


def _write_stubs(folder: Path) -> None:
    for name, text in STUBS.items():
        if importlib.util.find_spec(name.split(".")[0]) is not None:
            continue
        path = folder.joinpath(*name.split(".")).with_suffix("") / "__init__.py"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")


def _import_all(folder: Path, modules: list[str], paths: tuple[str, ...] = ()) -> subprocess.CompletedProcess:
    """Import modules with folder (and its subfolders paths: a folder of scripts run as
    `python tools/x.py` has itself on sys.path) and the stubs on sys.path."""
    stubs = folder / "_stubs"
    _write_stubs(stubs)
    path = [str(folder)] + [str(folder / p) for p in paths] + [str(stubs)]
    code = textwrap.dedent(f"""
        import importlib, sys
        sys.path[:0] = {path!r}
        for name in {modules!r}:
            importlib.import_module(name)
    """)
    env = dict(os.environ, **ENV, PYTHONDONTWRITEBYTECODE="1")
    return subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, timeout=120)


def _template(path: Path) -> bool:
    """A project template's file (a {{ }} folder, cookiecutter): not Python until rendered."""
    return any("{{" in part for part in path.parts)


def _module_names(folder: Path) -> list[str]:
    out = []
    for path in sorted(folder.rglob("*.py")):
        rel = path.relative_to(folder).with_suffix("")
        if rel.parts[0] == "_stubs" or _template(rel):
            continue
        parts = list(rel.parts[:-1]) + ([] if rel.name == "__init__" else [rel.name])
        if parts:
            out.append(".".join(parts))
    return out


def _siblings(case: Path, folder: Path) -> None:
    """A cross-file case's other modules, laid out as tests/fixturelib.py does (other_a__b.py -> a/b.py)."""
    for extra in case.glob("other_*.py"):
        dest = folder / extra.name[len("other_"):].replace("__", "/")
        dest.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(extra, dest)


def _import_case(case: Path, folder: Path, name: str) -> subprocess.CompletedProcess:
    """Import the case's input.py or expected.py as a module beside its siblings; inside a
    package when the siblings include the package's __init__ (relative imports)."""
    package = (case / "other___init__.py").is_file()
    where = folder / "casepkg" if package else folder
    where.mkdir(parents=True, exist_ok=True)
    _siblings(case, where)
    source = (case / name).read_text(encoding="utf-8")
    compile(source, str(case / name), "exec")
    (where / "converted_module.py").write_text(source, encoding="utf-8")
    return _import_all(folder, ["casepkg.converted_module" if package else "converted_module"])


@pytest.mark.parametrize("case", PY_CASES, ids=lambda p: p.name)
def test_single_file_input_imports(case: Path, tmp_path: Path):
    """The fixture is a whole module: its input imports with the real Segment SDK (else its
    expected output could not be judged by importing it)."""
    run = _import_case(case, tmp_path, "input.py")
    assert run.returncode == 0, f"{case.name}/input.py fails at import:\n{run.stderr}"


@pytest.mark.parametrize("case", PY_CASES, ids=lambda p: p.name)
def test_single_file_output_imports(case: Path, tmp_path: Path):
    run = _import_case(case, tmp_path, "expected.py")
    assert run.returncode == 0, f"{case.name}/expected.py fails at import:\n{run.stderr}"


def _script_folders(project: Path) -> tuple[str, ...]:
    """case.toml's script_folders: folders of scripts the project runs directly (on sys.path)."""
    meta = project / "case.toml"
    if not meta.is_file():
        return ()
    if sys.version_info >= (3, 11):
        import tomllib
    else:  # pragma: no cover
        import tomli as tomllib
    return tuple(tomllib.loads(meta.read_text(encoding="utf-8")).get("script_folders", ()))


@pytest.mark.parametrize("project", PROJECTS, ids=lambda p: p.name)
def test_project_output_imports(project: Path, tmp_path: Path):
    work = tmp_path / "tree"
    shutil.copytree(project / "input", work)
    shutil.copytree(project / "expected", work, dirs_exist_ok=True)
    for path in work.rglob("*.py"):
        if not _template(path.relative_to(work)):
            compile(path.read_text(encoding="utf-8"), str(path), "exec")
    run = _import_all(work, _module_names(work), _script_folders(project))
    assert run.returncode == 0, f"{project.name} fails at import:\n{run.stderr}"


@pytest.mark.parametrize("project", PROJECTS, ids=lambda p: p.name)
def test_project_input_imports(project: Path, tmp_path: Path):
    """The project's input imports too (with the real Segment SDK): the fixture is whole."""
    work = tmp_path / "tree"
    shutil.copytree(project / "input", work)
    run = _import_all(work, _module_names(work), _script_folders(project))
    assert run.returncode == 0, f"{project.name}/input fails at import:\n{run.stderr}"
