"""The REST API (JSON): routes per capability, one error shape."""
