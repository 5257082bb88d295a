# The helpdesk's image: `docker build -t helpdesk .` (deploy/compose.yaml runs the scaled-out set-up).
# One image for every process: `web` (the default), `worker`, `listen`, `db upgrade`, `run`.

# Front-end assets (console, chat widget, help center), bundled by esbuild.
FROM node:20-bookworm-slim AS assets
WORKDIR /src
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY frontend/ frontend/
RUN npm run build

# The package and its dependencies in a virtualenv the runtime stage copies whole (no build tools
# or caches reach it).
FROM python:3.11-slim-bookworm AS python
WORKDIR /src
RUN python -m venv /opt/helpdesk
COPY pyproject.toml README.md ./
COPY helpdesk/ helpdesk/
COPY channels/ channels/
COPY knowledge_base/ knowledge_base/
COPY sla/ sla/
COPY --from=assets /src/helpdesk/static/ helpdesk/static/
RUN /opt/helpdesk/bin/pip install --no-cache-dir --disable-pip-version-check .

FROM python:3.11-slim-bookworm
ENV PATH=/opt/helpdesk/bin:$PATH \
    PYTHONUNBUFFERED=1 \
    PYTHONDONTWRITEBYTECODE=1 \
    HELPDESK_INSTANCE_DIR=/var/lib/helpdesk
# The instance folder (secret key if not given, attachments) is the one place the process writes:
# mount a volume there, shared by every process of one helpdesk.
RUN groupadd --system --gid 10001 helpdesk \
    && useradd --system --uid 10001 --gid helpdesk --home-dir /var/lib/helpdesk --create-home helpdesk
COPY --from=python /opt/helpdesk /opt/helpdesk
# Numeric, so a runtime that checks runAsNonRoot can tell without reading /etc/passwd.
USER 10001:10001
WORKDIR /var/lib/helpdesk
EXPOSE 8000
# /healthz: the process answers (readiness, with the database and Redis, is /readyz). Processes
# that serve no HTTP (worker, listen) turn this off in deploy/compose.yaml.
HEALTHCHECK --interval=30s --timeout=5s --start-period=30s --retries=3 \
    CMD ["python", "-c", "import urllib.request; urllib.request.urlopen('http://127.0.0.1:8000/healthz', timeout=4)"]
ENTRYPOINT ["helpdesk"]
CMD ["web", "--bind", "0.0.0.0:8000"]
