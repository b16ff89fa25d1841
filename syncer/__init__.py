"""The edge agent: pulls one edge cluster's sync view from vapi and applies it."""
