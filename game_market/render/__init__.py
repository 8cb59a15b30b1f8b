"""Rendering helpers shared by every artifact and report the pipeline writes."""
