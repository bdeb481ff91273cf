"""Web shell: FastAPI app, pages, JSON API, CLI."""
