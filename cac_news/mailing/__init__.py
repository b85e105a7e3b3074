"""Mail: SMTP connections, message building, the delivery engine, bounces."""
