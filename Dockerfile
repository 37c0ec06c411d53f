# The site and its worker in one image: `annotator serve` (the default) or `annotator worker`.
# compose.yaml runs it with PostgreSQL and Redis; see README, "Running on several machines".
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    MEDIA_ROOT=/data/media \
    ANNOTATOR_VAR_DIR=/data/var \
    WEB_BIND=0.0.0.0:8000

WORKDIR /app
RUN useradd --system --uid 1000 --home-dir /app annotator \
    && mkdir -p /data/media /data/var \
    && chown -R annotator /data

# Installed in place (editable): the templates folder is read from beside the package.
COPY . .
RUN pip install -e . \
    # The static files, collected and compressed once here, not at every start (serve --no-collectstatic).
    && SECRET_KEY=collectstatic-only ANNOTATOR_VAR_DIR=/tmp/build annotator collectstatic --noinput -v0 \
    && rm -rf /tmp/build

USER annotator
EXPOSE 8000
CMD ["annotator", "serve", "--no-collectstatic"]
