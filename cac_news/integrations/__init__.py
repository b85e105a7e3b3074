"""Integrations with other tools: outgoing webhooks."""
