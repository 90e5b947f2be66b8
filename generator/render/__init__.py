"""Pages: the Jinja2 environment, the plan of every page, the chart and the map."""
