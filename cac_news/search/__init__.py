"""One search across the public content: letters, action reports, resources (see sources)."""
