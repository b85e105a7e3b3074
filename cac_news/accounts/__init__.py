"""Pilot accounts: two-factor login, password reset by email, sessions, the audit log and
the site-wide settings. Plain functions, callable without a request."""
