"""CA, serving and client certificates, and kubeconfig files."""
