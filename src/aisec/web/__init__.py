"""Web edge of the team server: REST API (web.api), auth (web.auth) and pages (web.pages)."""
