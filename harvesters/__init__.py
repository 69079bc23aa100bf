"""Harvesters: fetch raw records and harvest state from sources (no mapping here)."""
