"""Dependency manifests: the Segment package swapped for the Amplitude one, formatting kept."""
