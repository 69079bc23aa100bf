"""Helpers shared by the tests: corpus paths and a cassette replay HTTP server."""
