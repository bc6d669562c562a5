"""segamp: migrate Segment analytics SDK calls to Amplitude's SDKs, deterministically."""

__version__ = "0.1.0"
