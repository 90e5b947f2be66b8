"""Reading and validating input: YAML with lines, typed fields, site.yaml, content/, the gazetteer, the event schema."""
