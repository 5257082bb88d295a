"""Multilingual knowledge base: articles, help center, suggestions (arrives with its issue)."""
