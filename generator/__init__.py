"""A static site generator for sourced geopolitical timelines."""

__version__ = "0.1.0"
