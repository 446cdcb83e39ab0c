"""Answer engines and the code-level policy (input checks, scope, relevance, care)."""
