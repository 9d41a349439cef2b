# STAND-IN for the official `python:3.10-slim-bookworm`, for `make test-deploy` on a machine
# that cannot pull images (docker/standins/README.md). Never for a school's server: there,
# `docker compose build` pulls the real image.
#
# What the project's image relies on, as the official image provides it: Debian 12
# (bookworm) with apt, CPython 3.10 under /usr/local (venv, ensurepip, shared libpython),
# `python3` and `python` first on the PATH, the C.UTF-8 locale.
# The one difference: this machine reaches PyPI through a TLS-inspecting proxy, so pip is
# told to trust the machine's CA bundle (/etc/pip.conf); the official image's pip trusts
# its own certifi bundle.
ARG BASE=negotiation-standin/debian:bookworm
FROM ${BASE}
ARG PYTHON_VERSION
ARG STANDIN_RECIPE
LABEL org.negotiation-coach.standin="${STANDIN_RECIPE}" \
      org.negotiation-coach.standin.for="python:3.10-slim-bookworm"
ENV PATH=/usr/local/bin:$PATH \
    LANG=C.UTF-8 \
    PYTHON_VERSION=${PYTHON_VERSION}

# The shared libraries CPython's modules link against, as the official slim image keeps them
RUN apt-get update \
    && apt-get install -y --no-install-recommends ca-certificates netbase tzdata \
       libssl3 libsqlite3-0 libffi8 libbz2-1.0 liblzma5 libreadline8 libncursesw6 zlib1g \
       libuuid1 libexpat1 libnsl2 libtirpc3 libcrypt1 \
    && rm -rf /var/lib/apt/lists/*

# This machine's Python 3.10 (pyenv's build, prefix-relocatable), without its tests and
# site-packages; pip and setuptools come from its own ensurepip, as in the official image
COPY python/ /usr/local/
RUN ldconfig \
    && python3.10 -m ensurepip --default-pip \
    && ln -sf python3.10 /usr/local/bin/python3 \
    && ln -sf python3 /usr/local/bin/python \
    && ln -sf pip3 /usr/local/bin/pip \
    && python3 -c 'import ssl, sqlite3, ctypes, lzma, bz2, zlib, venv, readline, uuid' \
    && python3 --version

COPY machine-ca.crt /usr/local/share/standin/ca-certificates.crt
RUN printf '[global]\ncert = /usr/local/share/standin/ca-certificates.crt\n' > /etc/pip.conf

CMD ["python3"]
