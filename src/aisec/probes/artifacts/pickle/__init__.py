"""Static pickle analysis: opcode walker, call resolution and the callable policy."""
