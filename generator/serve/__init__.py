"""The live preview server."""
