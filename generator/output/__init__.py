"""Writing: staging the new output/ and swapping it in, files joined from per-event parts, spill files."""
