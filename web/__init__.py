"""The web: FastAPI JSON API (and later the HTML UI) for judges (法官), partner agencies (协助执行单位),
auditors (审计) and administrators. It starts workflows, relays decisions and partner callbacks to
Temporal as the authenticated user, and keeps its own small database of users and tokens."""
