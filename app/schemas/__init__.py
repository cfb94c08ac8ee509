"""LINE wire models shared across resources."""
