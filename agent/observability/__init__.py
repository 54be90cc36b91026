"""Telemetry (OpenTelemetry traces, metrics, logs), cost per call, call records and the report."""
