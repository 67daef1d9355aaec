# syntax=docker/dockerfile:1
#
# journeyflow container image.
#   docker build -t journeyflow .
#   docker run --rm -p 8000:8000 -e JOURNEYFLOW_DATABASE_URL=postgresql://… journeyflow
# Without JOURNEYFLOW_DATABASE_URL the service starts an embedded Postgres under
# /var/lib/journeyflow (fine for a quick look; use a real Postgres for anything else).

ARG PYTHON_IMAGE=python:3.11-slim

# --- builder: a wheel for journeyflow and every runtime dependency -----------------------------
FROM ${PYTHON_IMAGE} AS builder

ENV PIP_DISABLE_PIP_VERSION_CHECK=1

# A C compiler for the mypyc build of the processor's hot path (hatch_build.py); `require`
# fails the build rather than ship pure Python. The runtime stage needs no compiler.
RUN apt-get update \
 && apt-get install -y --no-install-recommends gcc libc6-dev \
 && rm -rf /var/lib/apt/lists/*
ENV JOURNEYFLOW_NATIVE=require

WORKDIR /build
# Only what hatchling reads (see .dockerignore): metadata, readme, the build hook, the package.
COPY pyproject.toml README.md hatch_build.py ./
COPY src ./src
RUN --mount=type=cache,target=/root/.cache/pip \
    python -m pip wheel --wheel-dir /wheels .

# --- runtime -------------------------------------------------------------------------------------
FROM ${PYTHON_IMAGE}

LABEL org.opencontainers.image.title="journeyflow" \
      org.opencontainers.image.description="Streaming journey analytics for contact centres" \
      org.opencontainers.image.licenses="Apache-2.0"

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    VIRTUAL_ENV=/opt/venv \
    PATH=/opt/venv/bin:$PATH

# Non-root user; its data directory is a volume it owns.
RUN groupadd --system --gid 10001 journeyflow \
 && useradd --system --uid 10001 --gid journeyflow --no-create-home \
        --home-dir /var/lib/journeyflow --shell /usr/sbin/nologin journeyflow \
 && install -d -o journeyflow -g journeyflow -m 0750 /var/lib/journeyflow

# Install from the builder's wheels only (no index), without copying them into a layer.
RUN --mount=type=bind,from=builder,source=/wheels,target=/wheels \
    /usr/local/bin/python -m venv /opt/venv \
 && /opt/venv/bin/pip install --no-cache-dir --no-index --find-links=/wheels journeyflow \
 && /opt/venv/bin/journeyflow --version \
 && /opt/venv/bin/python -c "from journeyflow.native import compiled_modules as c, describe; \
assert c(), 'the hot path was not compiled'; print(describe())"

ENV JOURNEYFLOW_HOST=0.0.0.0 \
    JOURNEYFLOW_PORT=8000 \
    JOURNEYFLOW_DATA_DIR=/var/lib/journeyflow

WORKDIR /var/lib/journeyflow
VOLUME ["/var/lib/journeyflow"]
USER 10001:10001
EXPOSE 8000

# Liveness only (/readyz also checks the database). slim has no curl, so use Python's urllib;
# urlopen raises on a refused connection or a non-2xx answer, which exits non-zero.
HEALTHCHECK --interval=15s --timeout=5s --start-period=30s --retries=3 \
    CMD ["python", "-c", "import os, urllib.request as u; u.urlopen('http://127.0.0.1:%s/healthz' % os.environ.get('JOURNEYFLOW_PORT', '8000'), timeout=4)"]

ENTRYPOINT ["journeyflow"]
CMD ["serve"]
