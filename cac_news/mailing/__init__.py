"""The delivery engine: sends, claims, the worker, relays, pacing, test sends, bounces."""
