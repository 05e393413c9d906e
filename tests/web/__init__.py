"""The web: the JSON API, the UI in a real browser, parties' accounts and pages, webhooks, words, metrics."""
