"""The bottom mail layer: SMTP connections, header rules, message building, DKIM.

Audience, compose and mailing use it; it imports none of them.
"""
