"""Compiling rules for durable-rules and running them; nothing else imports ``durable``."""
