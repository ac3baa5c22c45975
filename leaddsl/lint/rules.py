"""The lint rules (each registers its code and a function)."""
