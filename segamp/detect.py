"""The detector behind `check` for file kinds no front end migrates yet.

Swift, Objective-C, Kotlin, Java, Go, Ruby, PHP, C#, Dart, and the manifests and lockfiles of
every ecosystem (CocoaPods, Carthage, SwiftPM, Gradle, Maven, go.mod, Gemfile, composer,
NuGet, pubspec, npm, Python): each line
that references a Segment SDK is reported, so `check` can never call Segment code clean just
because segamp cannot rewrite that language. Patterns name Segment's own modules, packages and
types, never words like "analytics" alone, so other code is never reported.
"""
from __future__ import annotations

import functools
import re
from typing import Optional

from .core import findings
from .languages.base import Handler, ProjectContext
from .model import Analysis, Finding
from .source import SourceFile

# (file kind, what the Amplitude side is, regex of a Segment reference)
_SWIFT = r"^\s*(?:@testable\s+)?import\s+(?:Segment\w*|Analytics)\b|\bSEGAnalytics\w*\b|\bAnalytics\.shared\(\)|\bsegmentio/analytics-(?:swift|ios)\b"
_OBJC = r"#\s*(?:import|include)\s*[<\"](?:Analytics|Segment)/|@import\s+(?:Analytics|Segment)\b|\bSEGAnalytics\w*\b"
_JVM = r"\bcom\.segment\.analytics\b|\bio\.segment\.analytics\b"
KINDS: list[tuple[str, tuple[str, ...], tuple[str, ...], str, str]] = [
    # language, extensions, basenames, Amplitude SDK to move to, pattern
    ("swift", (".swift",), (), "Amplitude-Swift", _SWIFT),
    ("objc", (".m", ".mm", ".h"), (), "Amplitude-iOS", _OBJC),
    ("kotlin", (".kt", ".kts"), (), "Amplitude-Kotlin", _JVM),
    ("java", (".java",), (), "Amplitude-Kotlin / Amplitude-Java", _JVM),
    ("cocoapods", (".podspec",), ("Podfile", "Podfile.lock"), "pod 'AmplitudeSwift' / 'Amplitude'",
     r"^\s*pod\s+['\"](?:Analytics|Segment[\w-]*)['\"]|^\s*-\s+\"?(?:Analytics|Segment[\w-]*)\s*\(|segmentio/analytics"
     r"|\.dependency\s*\(?\s*['\"](?:Analytics|Segment[\w-]*)['\"]"),
    ("carthage", (), ("Cartfile", "Cartfile.private", "Cartfile.resolved"), "github \"amplitude/Amplitude-iOS\"",
     r"segmentio/analytics-(?:ios|swift)|segment-integrations/"),
    ("swiftpm", (), ("Package.swift", "Package.resolved"), "amplitude/Amplitude-Swift",
     r"segmentio/analytics-(?:swift|ios)|segment-integrations/"),
    ("gradle", (".gradle",), ("build.gradle", "build.gradle.kts", "settings.gradle", "libs.versions.toml"),
     "com.amplitude:analytics-android", r"com\.segment\.analytics"),
    ("maven", (), ("pom.xml",), "com.amplitude:analytics-java", r"com\.segment\.analytics"),
    ("npm-lock", (), ("package-lock.json", "yarn.lock", "pnpm-lock.yaml", "npm-shrinkwrap.json", "bun.lock"),
     "the matching @amplitude package",
     r"[\"'/ ]@segment/(?:analytics[\w.-]*|snippet)|(?:^|[\"' /])analytics-node[@\"': ]"),
    ("python-lock", (), ("poetry.lock", "Pipfile.lock", "uv.lock", "pdm.lock"),
     "amplitude-analytics", r"\b(?:segment-analytics-python|analytics-python)\b"),
    # server and app SDKs segamp has no front end for: each reference fails check
    ("go", (".go",), ("go.mod",), "github.com/amplitude/analytics-go",
     r"github\.com/segmentio/analytics-go|gopkg\.in/segmentio/analytics-go"),
    ("go-lock", (), ("go.sum",), "github.com/amplitude/analytics-go",
     r"github\.com/segmentio/analytics-go|gopkg\.in/segmentio/analytics-go"),
    ("ruby", (".rb", ".gemspec"), ("Gemfile", "Gemfile.lock"), "Amplitude's HTTP V2 API (no official Ruby SDK)",
     r"\bSegment::Analytics\b|\brequire\s*\(?\s*['\"]segment(?:/analytics)?['\"]|['\"]analytics-ruby['\"]|^\s+analytics-ruby\b"),
    ("php", (".php",), ("composer.json", "composer.lock"), "Amplitude's HTTP V2 API (no official PHP SDK)",
     r"segmentio/analytics-php|\bSegment::(?:init|track|identify|page|screen|group|alias|flush)\s*\(|^\s*use\s+Segment\\|\\Segment\\Segment\b"),
    ("csharp", (".cs", ".csproj", ".fsproj", ".vbproj"), ("packages.config", "Directory.Packages.props"),
     "Amplitude's HTTP V2 API (no official .NET server SDK)",
     r"^\s*using\s+Segment(?:\.Analytics)?\s*;|\bSegment\.Analytics\b"
     r"|(?:PackageReference|PackageVersion)\s+Include=['\"](?:Analytics|Segment\.[\w.]+)['\"]|<package\s+id=['\"](?:Analytics|Segment\.[\w.]+)['\"]"),
    ("dart", (".dart",), ("pubspec.yaml", "pubspec.lock"), "amplitude_flutter",
     r"package:(?:segment_analytics|flutter_segment|analytics)/|^\s+(?:segment_analytics|flutter_segment)\s*:"),
    # single-file components: their <script> blocks are not migrated yet
    ("svelte/vue", (".svelte", ".vue", ".astro"), (), "@amplitude/analytics-browser",
     r"['\"`]@segment/[\w.-]+|cdn\.segment\.(?:com|io)|\bwindow\.analytics\b|\banalytics\.(?:load|SNIPPET_VERSION|page|track|identify)\s*\(|\bAnalyticsBrowser\b"),
    # declarations (.d.ts) are never rewritten, but what they declare is still Segment's
    ("typescript-declarations", (), (), "@amplitude/analytics-browser types",
     r"['\"`]@segment/[\w.-]+|\bSegmentAnalytics\.|reference\s+types=['\"](?:@types/)?segment-analytics|\bAnalyticsBrowser\b"),
]


class SegmentReferenceHandler(Handler):
    """One handler per file kind of KINDS: reports references, never edits."""

    def __init__(self, language: str, extensions: tuple[str, ...], basenames: tuple[str, ...], amplitude: str, pattern: str):
        self.name = language
        self.extensions = extensions
        self.filenames = basenames
        self.markers = tuple({m.encode() for m in ("egment", "SEG", "Analytics", "analytics")})
        self.marker_pattern = pattern.encode()
        self.amplitude = amplitude
        self._pattern = re.compile(pattern, re.M)
        super().__init__()

    def analyze(self, source: SourceFile, ctx: ProjectContext, tree=None) -> Analysis:
        out = Analysis()
        seen_lines: set[int] = set()
        if self.name.endswith("-lock") or source.path.endswith(".lock"):
            return self._lockfile(source)
        for m in self._pattern.finditer(source.text):
            line = source.text.count("\n", 0, m.start()) + 1
            if line in seen_lines:
                continue
            seen_lines.add(line)
            col = m.start() - (source.text.rfind("\n", 0, m.start()) + 1) + 1
            out.findings.append(findings.make("segment-reference", line, col, self.name, what=_clean(m.group(0)),
                                              kind=self.name, amplitude=self.amplitude))
        return out

    def _lockfile(self, source: SourceFile) -> Analysis:
        """One finding a lockfile: it is regenerated whole, not edited entry by entry."""
        out = Analysis()
        pins = sorted({_clean(m.group(0)) for m in self._pattern.finditer(source.text)})
        m = self._pattern.search(source.text)
        if m is not None:
            line = source.text.count("\n", 0, m.start()) + 1
            out.findings.append(findings.make("lockfile-pin", line, 1, self.name, what=findings.shorten(", ".join(pins), 120),
                                              amplitude=self.amplitude))
        return out


def _clean(text: str) -> str:
    """A reference as the user reads it: no quotes, slashes or spaces around it, and no quote
    left without its pair (`.dependency 'Analytics`, `"@segment/x`)."""
    text = text.strip().strip("'\"`/ :(").rstrip("@:")
    for quote in "'\"`":
        if text.count(quote) % 2:
            text = text.replace(quote, "")
    return findings.shorten(text, 80)


def reference_handlers() -> list[Handler]:
    handlers = [SegmentReferenceHandler(*kind[:3], kind[3], kind[4]) for kind in KINDS]
    for h in handlers:
        if h.name == "typescript-declarations":
            h.filename_patterns = (r".*\.d\.[mc]?ts",)
            h._name_res = [re.compile(p) for p in h.filename_patterns]
    return handlers


def declaration_handler() -> Handler:
    """Declarations must be claimed before the JS/TS handler claims every .ts file."""
    return next(h for h in reference_handlers() if h.name == "typescript-declarations")


def first_reference(path: str, text: str) -> Optional[str]:
    """For tests and tools: the first Segment reference a detector kind finds in a text."""
    import os
    base, ext = os.path.basename(path), os.path.splitext(path)[1]
    for language, exts, names, _, pattern in KINDS:
        if ext in exts or base in names:
            m = re.search(pattern, text, re.M)
            return m.group(0) if m else None
    return None


# --- the same honesty for the languages segamp migrates --------------------------------------
# A file the front end left alone (not a client it can bind, a string in a test, a mock) still
# fails `check` when it names a Segment module, package or loader.
_JS_REFERENCE = r"""['"`]@segment/[\w.-]+|\brequire\(\s*['"]analytics-node['"]|from\s+['"]analytics-node['"]|\bAnalyticsBrowser\b|cdn\.segment\.(?:com|io)|api\.segment\.io"""
SOURCE_PATTERNS = {
    "javascript": _JS_REFERENCE,
    "html": _JS_REFERENCE + r"|analytics\.SNIPPET_VERSION",
    # (a legacy `import analytics` is Segment's only with other evidence: the front end decides)
    # imports, and strings that name the module (mock.patch("segment.analytics.track")); prose is not
    "python": r"^[ \t]*(?:import|from)[ \t]+segment\.analytics\b|^[ \t]*from[ \t]+segment[ \t]+import[ \t]+analytics\b"
              r"|['\"]segment\.analytics(?:\.\w+)*['\"]|['\"]segment-analytics-python\b",
}
_SOURCE_RES = {k: re.compile(v.encode(), re.M) for k, v in SOURCE_PATTERNS.items()}


def source_reference(handler_name: str, raw: bytes) -> Optional[tuple[int, int, str]]:
    """(line, column, text) of the first Segment reference in a source file, or None."""
    pattern = _SOURCE_RES.get(handler_name)
    if pattern is None:
        return None
    m = pattern.search(raw)
    if m is None:
        return None
    line = raw.count(b"\n", 0, m.start()) + 1
    col = m.start() - (raw.rfind(b"\n", 0, m.start()) + 1) + 1
    return line, col, m.group(0).decode("utf-8", "replace").strip()


def reference_finding(handler_name: str, language: str, raw: bytes) -> Optional[Finding]:
    hit = source_reference(handler_name, raw)
    if hit is None:
        return None
    line, col, what = hit
    return findings.make("segment-reference-left", line, col, language, what=_clean(what))


@functools.lru_cache(maxsize=None)
def _package_refs() -> tuple[tuple[str, re.Pattern], ...]:
    from . import tables
    out = []
    for eco in tables.load("packages").values():
        for pkg, rule in eco.items():
            for ref in rule.get("refs", ()):
                out.append((pkg, re.compile(ref, re.M)))
    return tuple(out)


def packages_used(text: str) -> set[str]:
    """The Segment packages (rules/packages.toml) a source text still needs."""
    if "egment" not in text and "nalytics" not in text:
        return set()
    return {pkg for pkg, ref in _package_refs() if ref.search(text)}


def package_targets() -> dict[str, str]:
    """Segment package -> the Amplitude package that replaces it (rules/packages.toml)."""
    from . import tables
    return {p: rule["to"] for eco in tables.load("packages").values() for p, rule in eco.items() if rule.get("to")}


def idle_packages(used: set[str], converted: set[str]) -> set[str]:
    """Segment packages a manifest keeps although no code uses them: swapping them would add an
    Amplitude package nothing needs (its client was left, or no code ever used it), unless a
    package that was converted goes to the same one."""
    targets = package_targets()
    needed = {targets[p] for p in converted if p in targets}
    return {p for p, to in targets.items() if p not in used and p not in converted and to not in needed}
