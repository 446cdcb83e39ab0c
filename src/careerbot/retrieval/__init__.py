"""Query analysis, keyword and dense retrieval, and rank fusion."""
