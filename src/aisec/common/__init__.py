"""Small utilities every room of aisec may use: errors, exit codes, safe YAML, atomic writes."""
