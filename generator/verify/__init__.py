"""Checks of a built site: links and anchors."""
