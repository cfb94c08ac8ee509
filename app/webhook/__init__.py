"""Platform → bot: events from user actions, signed requests, dispatch, retries, the attempt log."""
