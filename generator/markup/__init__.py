"""Markdown to sanitised HTML, with smart punctuation."""
