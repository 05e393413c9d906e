# One image for worker, web and (optionally) the partner simulators.
FROM python:3.11-slim
ENV PYTHONDONTWRITEBYTECODE=0 PYTHONUNBUFFERED=1
WORKDIR /app
# Court documents embed Debian's Noto CJK fonts (documents/render.py).
RUN apt-get update && apt-get install -y --no-install-recommends fonts-noto-cjk && rm -rf /var/lib/apt/lists/*
COPY pyproject.toml constraints.txt ./
COPY config config
COPY security security
COPY runtime runtime
COPY net net
COPY documents documents
COPY domain domain
COPY adapters adapters
COPY activities activities
COPY audit audit
COPY store store
COPY workflows workflows
COPY workers workers
COPY simulators simulators
COPY web web
COPY bench bench
RUN pip install --no-cache-dir -c constraints.txt '.[postgres]' \
    # Precompile: the workflow sandbox re-imports modules per run (DESIGN.md "Limits").
    && python -m compileall -q /app
# A fixed numeric user: Kubernetes can check runAsNonRoot only against a number (deploy/kubernetes/).
RUN useradd --system --uid 10001 --user-group --home /var/lib/one-matter one-matter \
    && mkdir -p /var/lib/one-matter && chown one-matter /var/lib/one-matter
USER 10001
