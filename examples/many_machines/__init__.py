"""Recipe: the example shop on several workers and machines, sharing Redis and PostgreSQL (README.md)."""
