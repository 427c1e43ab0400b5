"""Views that write to stdout: Rich renderables (shared with the app), Markdown and JSON."""
