"""Sharing: the one visibility policy (pure), the policy-bound reads, and partner sync."""
