"""Presenting results: console tables, JSON, CSV; writing outputs safely."""
