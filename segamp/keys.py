"""Write key -> API key: a Segment write key is not an Amplitude API key.

Environment variable names are renamed (NEXT_PUBLIC_SEGMENT_WRITE_KEY ->
NEXT_PUBLIC_AMPLITUDE_API_KEY); anything else is for a person to point at the right key.
"""
from __future__ import annotations

import re
from typing import Optional

PLACEHOLDER = "<AMPLITUDE_API_KEY>"
_SEGMENT_KEY = re.compile(r"SEGMENT_(?:WRITE_?KEY|API_KEY|KEY)", re.IGNORECASE)


def rename_env_var(name: str) -> Optional[str]:
    """The Amplitude twin of a Segment write-key env var name, or None if it is not one."""
    if not _SEGMENT_KEY.search(name):
        return None
    return _SEGMENT_KEY.sub(lambda m: "AMPLITUDE_API_KEY" if m.group(0).isupper() else "amplitude_api_key", name)
