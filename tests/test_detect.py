"""`check` never calls Segment code clean: Swift, Objective-C, Kotlin, Java, Podfiles, Gradle,
Maven and lockfiles are discovered and their Segment references reported, per file and line;
code that only looks similar is not."""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from segamp.config import Config
from segamp.detect import reference_handlers
from segamp.engine import Engine

SEGMENT_FILES = {
    "ios/App/AppDelegate.swift": "import UIKit\nimport Segment\n\nlet analytics = Analytics(configuration: Configuration(writeKey: \"k\"))\n",
    "ios/Legacy/Tracker.swift": "import Analytics\nfunc go() { Analytics.shared().track(\"X\") }\n",
    "ios/Old/Tracker.m": "#import <Analytics/SEGAnalytics.h>\n@implementation T\n- (void)go { [[SEGAnalytics sharedAnalytics] track:@\"X\"]; }\n@end\n",
    "android/app/src/main/java/com/shop/App.kt": "package com.shop\nimport com.segment.analytics.kotlin.android.Analytics\n",
    "server/src/main/java/com/shop/Track.java": "package com.shop;\nimport com.segment.analytics.Analytics;\nclass Track {}\n",
    "ios/Podfile": "target 'App' do\n  pod 'Analytics', '~> 4.1'\nend\n",
    "ios/Podfile.lock": "PODS:\n  - Analytics (4.1.6)\n",
    "ios/Package.resolved": '{"pins": [{"location": "https://github.com/segmentio/analytics-swift"}]}\n',
    "android/app/build.gradle": "dependencies {\n  implementation 'com.segment.analytics.kotlin:android:1.16.0'\n}\n",
    "server/pom.xml": "<project><dependency><groupId>com.segment.analytics.java</groupId></dependency></project>\n",
    "web/yarn.lock": '"@segment/analytics-next@^1.84.3":\n  version "1.84.3"\n',
    "web/package-lock.json": '{"packages": {"node_modules/@segment/analytics-next": {"version": "1.84.3"}}}\n',
    "api/poetry.lock": '[[package]]\nname = "segment-analytics-python"\nversion = "2.4.0"\n',
    "ios/Cartfile": 'github "segmentio/analytics-ios"\n',
    "ios/Cartfile.resolved": 'github "segmentio/analytics-ios" "4.1.8"\n',
    "ios/Kit/Kit.podspec": "Pod::Spec.new do |s|\n  s.name = 'Kit'\n  s.dependency 'Analytics', '~> 4.1'\nend\n",
    "go/main.go": 'package main\n\nimport (\n\tanalytics "github.com/segmentio/analytics-go/v3"\n)\n',
    "go/go.mod": "module shop\n\nrequire github.com/segmentio/analytics-go/v3 v3.3.0\n",
    "go/go.sum": "github.com/segmentio/analytics-go/v3 v3.3.0 h1:abc=\n",
    "ruby/app/track.rb": "require 'segment/analytics'\nAnalytics = Segment::Analytics.new(write_key: 'k')\n",
    "ruby/Gemfile": "gem 'analytics-ruby', '~> 2.4.0', require: 'segment/analytics'\n",
    "ruby/Gemfile.lock": "GEM\n  specs:\n    analytics-ruby (2.4.0)\n",
    "php/src/Track.php": "<?php\nuse Segment\\Segment;\nSegment::init('k');\nSegment::track(['userId' => 'u', 'event' => 'X']);\n",
    "php/composer.json": '{"require": {"segmentio/analytics-php": "^3.0"}}\n',
    "dotnet/Track.cs": "using Segment;\nclass T { void Go() { Analytics.Initialize(\"k\"); } }\n",
    "dotnet/Shop.csproj": '<Project><ItemGroup><PackageReference Include="Analytics" Version="3.8.1" /></ItemGroup></Project>\n',
    "flutter/lib/main.dart": "import 'package:segment_analytics/client.dart';\n",
    "flutter/pubspec.yaml": "dependencies:\n  segment_analytics: ^1.0.0\n",
}
CLEAN_FILES = {
    "ios/App/Amp.swift": "import AmplitudeSwift\nlet amplitude = Amplitude(configuration: Configuration(apiKey: \"k\"))\n",
    "android/app/src/main/java/com/shop/Stats.kt": "package com.shop\n// our own analytics wrapper\nclass Analytics { fun track(e: String) {} }\n",
    "ios/Podfile.other": "",
    "server/src/main/java/com/shop/Segments.java": "package com.shop;\n// customer segments\nclass Segments {}\n",
    "web/yarn.lock.bak": "",
    "go/stats.go": 'package stats\n\nimport "github.com/acme/analytics"\n// customer segment stats\n',
    "ruby/app/segments.rb": "# customer segment analytics\nclass SegmentReport; end\n",
    "php/src/Stats.php": "<?php\n// analytics dashboard for a customer segment\nclass Segment {}\n",
    "dotnet/Stats.cs": "namespace Shop.Analytics { class Segment {} }\n",
    "flutter/lib/stats.dart": "// analytics for a customer segment\nclass Segment {}\n",
    "ios/Cartfile.other": 'github "segmentio/analytics-ios"\n',
}


def _tree(tmp_path: Path, files: dict[str, str]) -> Path:
    for rel, text in files.items():
        p = tmp_path / rel
        p.parent.mkdir(parents=True, exist_ok=True)
        p.write_text(text, encoding="utf-8")
    return tmp_path


def _run(paths: list[str]) -> dict[str, list]:
    engine = Engine(Config(), handlers=reference_handlers())
    return {r.path: r.findings for r in engine.run(paths) if r.findings}


def test_every_segment_reference_is_reported(tmp_path):
    root = _tree(tmp_path, {**SEGMENT_FILES, **CLEAN_FILES})
    found = {str(Path(p).resolve().relative_to(root.resolve())): f for p, f in _run([str(root)]).items()}
    assert set(found) == set(SEGMENT_FILES), f"reported {sorted(found)}"
    for rel, fs in found.items():
        assert all(f.rule in ("segment-reference", "lockfile-pin") for f in fs)
        assert fs[0].line >= 1 and fs[0].language


def test_lockfiles_say_relock(tmp_path):
    root = _tree(tmp_path, {"api/poetry.lock": SEGMENT_FILES["api/poetry.lock"]})
    (f,) = next(iter(_run([str(root)]).values()))
    assert f.rule == "lockfile-pin" and "re-lock" in f.suggestion


def _cli_check(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "segamp", "check", "--format", "json", *args],
                          capture_output=True, text=True, cwd=cwd)


@pytest.mark.parametrize("rel", sorted(SEGMENT_FILES))
def test_check_fails_on_each_kind_and_on_the_single_file(tmp_path, rel):
    root = _tree(tmp_path, {rel: SEGMENT_FILES[rel]})
    assert _cli_check(".", cwd=root).returncode == 1
    assert _cli_check(rel, cwd=root).returncode == 1


def test_check_passes_on_similar_clean_code(tmp_path):
    root = _tree(tmp_path, CLEAN_FILES)
    out = _cli_check(".", cwd=root)
    assert out.returncode == 0, out.stdout + out.stderr


MOCKS = {
    "api/tests/test_signup.py": "from unittest import mock\n\n\n@mock.patch(\"segment.analytics.track\")\ndef test_signup(track):\n    assert track\n",
    "web/src/analytics.test.ts": "import { vi } from 'vitest'\nvi.mock('@segment/analytics-next')\n",
}


@pytest.mark.parametrize("rel", sorted(MOCKS))
def test_check_fails_on_mock_strings_naming_segment(tmp_path, rel):
    root = _tree(tmp_path, {rel: MOCKS[rel]})
    out = _cli_check(".", cwd=root)
    assert out.returncode == 1, out.stdout
    assert "segment-reference-left" in out.stdout


def test_check_on_a_subfolder_reports_only_that_subfolder(tmp_path):
    root = _tree(tmp_path, {**SEGMENT_FILES, **CLEAN_FILES})
    out = _cli_check("ios", cwd=root)
    assert out.returncode == 1
    import json
    paths = {f["path"] for f in json.loads(out.stdout)["files"] if f["findings"]}
    assert paths and all(p.startswith("ios/") for p in paths), paths
    clean = _cli_check("android/app/src/main/java/com/shop/Stats.kt", cwd=root)
    assert clean.returncode == 0, clean.stdout


def test_check_summary_counts_files_it_cannot_migrate_as_still_using_segment(tmp_path):
    # a Swift file is as much Segment use as a convertible one: the summary must not say 0
    root = _tree(tmp_path, {"ios/App/AppDelegate.swift": SEGMENT_FILES["ios/App/AppDelegate.swift"]})
    out = subprocess.run([sys.executable, "-m", "segamp", "check", ".", "--no-progress"],
                         capture_output=True, text=True, cwd=root)
    assert out.returncode == 1
    assert "1 files still use Segment (0 convertible)" in out.stdout + out.stderr
