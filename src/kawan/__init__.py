"""kawan: one agency's node for sharing, checking and matching threat and fraud data."""
