"""The build: loading, rendering and publishing passes, coordinated."""
