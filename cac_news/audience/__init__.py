"""Audience: subscribers, consent, participation modes and the queries over them."""
