"""Bounces and complaints: read DSNs and feedback reports, classify them, decide a status.

Everything here is plain Python with no database access, so that the `flask bounces`
commands (and the delivery engine) can call it once deliveries are stored.
"""
