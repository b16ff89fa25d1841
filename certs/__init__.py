"""CA, serving and client certificates, and kubeconfig files. Imports nothing of the project.

    ca = certs.CA.load_or_create(directory)
    cert_pem, key_pem = ca.issue_server(hosts=["127.0.0.1", "localhost"])
    cert_pem, key_pem = ca.issue_client("admin", groups=["system:masters"])
"""

from certs.ca import CA
from certs.kubeconfig import kubeconfig

__all__ = ["CA", "kubeconfig"]
