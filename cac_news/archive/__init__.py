"""The public archive: frozen web copies of sent newsletters, their search and feed."""
