"""Plumbing shared by every domain: database, clock, ids, errors, jobs."""
