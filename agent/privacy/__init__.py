"""Redaction of personal data before anything is logged, captured for learning or exported."""
