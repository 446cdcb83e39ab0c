"""FastAPI app factory: chat page at /, JSON/SSE API, /widget.js, /healthz."""
