"""The registry: every language and manifest module the engine runs, in lookup order.

Manifests come first: they claim files by exact name (package.json, setup.py, requirements.txt)
before the languages claim files by extension. A new language is one more line here.
"""
from __future__ import annotations

from .base import Handler, ProjectContext


def all_handlers() -> list[Handler]:
    from ..manifests.package_json import PackageJsonHandler
    from ..manifests.python_deps import LooseRequirementsHandler, PythonManifestHandler
    from .js.handler import HtmlHandler, JavaScriptHandler
    from ..detect import declaration_handler, reference_handlers
    from .python import PythonHandler

    # the detector's handlers come last: they take only file kinds no front end migrates yet
    return [PackageJsonHandler(), PythonManifestHandler(), declaration_handler(), JavaScriptHandler(), HtmlHandler(), PythonHandler(),
            LooseRequirementsHandler(), *[h for h in reference_handlers() if h.name != "typescript-declarations"]]


__all__ = ["Handler", "ProjectContext", "all_handlers"]
