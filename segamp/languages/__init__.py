"""The registry: every language and manifest module the engine runs, in lookup order."""
from __future__ import annotations

from .base import Handler, ProjectContext


def all_handlers() -> list[Handler]:
    from ..manifests.package_json import PackageJsonHandler
    from .javascript import HtmlHandler, JavaScriptHandler

    handlers: list[Handler] = [PackageJsonHandler(), JavaScriptHandler(), HtmlHandler()]
    try:
        from ..manifests.python_deps import PythonManifestHandler
        from .python import PythonHandler

        handlers[1:1] = [PythonManifestHandler()]
        handlers.append(PythonHandler())
    except ImportError:  # the Python module is optional while it is being built
        pass
    return handlers


__all__ = ["Handler", "ProjectContext", "all_handlers"]
