"""Emitters: each turns the IR into files (models, client, and later server and docs)."""
