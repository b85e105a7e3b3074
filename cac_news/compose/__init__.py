"""Composing newsletters: collect what changed, render once, personalise cheaply."""
