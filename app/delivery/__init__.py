"""Sending: recipient resolution, fan-out jobs, quotas and retry keys."""
