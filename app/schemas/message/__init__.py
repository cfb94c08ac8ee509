"""Declarative rules for LINE message objects; the entry points are app.schemas.messages."""
