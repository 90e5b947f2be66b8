"""Helping editors write content: `new` and `import` with its detectors."""
