"""Helpers several apps use that hold no models; imports no app."""
