"""Content the pilots keep: roadmap, action reports, Markdown rendering."""
