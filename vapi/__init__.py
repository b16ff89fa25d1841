"""vapi: a virtual Kubernetes API server for edge multi-cluster computing."""

__version__ = "0.1.0"
