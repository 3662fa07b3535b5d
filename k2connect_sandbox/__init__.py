"""k2connect_sandbox: a local, stateful K2 Connect server built from openapi/k2connect.yaml."""
