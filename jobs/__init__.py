"""Scheduled work: sweeps that call the same domain functions as the API."""
