"""What makes builds fast: the build cache, stored events, worker processes."""
