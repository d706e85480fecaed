"""Tests: fast unit tests, and integration tests (marked slow) with the real model and index."""
