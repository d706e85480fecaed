"""Retrievers score passages for a question; the engine ranks and cites them."""
