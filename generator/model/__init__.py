"""The model: configuration, actors, events, pages and the whole site's indexes. Imports nothing of ours."""
