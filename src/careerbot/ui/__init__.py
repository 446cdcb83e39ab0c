"""Gradio chat page factory (never launches by itself) and pure render helpers."""
