"""The LINE-compatible API: every route answers as the platform would."""
