# syntax=docker/dockerfile:1
FROM node:20-bookworm-slim AS spa
WORKDIR /build/frontend
COPY frontend/package.json frontend/package-lock.json ./
RUN npm ci
COPY frontend/ ./
COPY openapi/ /build/openapi/
RUN npm run build

FROM python:3.11-slim-bookworm AS app
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 \
    TICKETDESK_DATA_DIR=/data TICKETDESK_MIGRATIONS_DIR=/app/migrations
WORKDIR /app
RUN useradd --system --uid 10001 --home /app ticketdesk && mkdir /data && chown ticketdesk /data
COPY pyproject.toml README.md ./
COPY src/ src/
COPY migrations/ migrations/
COPY --from=spa /build/src/ticketdesk/static/ src/ticketdesk/static/
RUN pip install --no-cache-dir .
USER ticketdesk
VOLUME ["/data"]
EXPOSE 8000
HEALTHCHECK CMD python -c "import urllib.request; urllib.request.urlopen('http://127.0.0.1:8000/healthz')"
CMD ["ticketdesk", "serve", "--host", "0.0.0.0", "--port", "8000"]
