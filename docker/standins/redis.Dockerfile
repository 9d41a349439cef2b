# STAND-IN for the official `redis:7.0`, for `make test-deploy` on a machine that cannot
# pull images (docker/standins/README.md). Never for a school's server.
#
# What docker-compose.yml relies on, as the official image provides it: redis-server 7.0
# and redis-cli on the PATH, a `redis` user, /data (a volume, owned by redis) as the
# working directory, the server listening on every interface without protected mode, and
# an entrypoint that drops root to `redis` (the compose file runs it as `redis` directly).
ARG BASE=negotiation-standin/debian:bookworm
FROM ${BASE}
ARG STANDIN_RECIPE
LABEL org.negotiation-coach.standin="${STANDIN_RECIPE}" \
      org.negotiation-coach.standin.for="redis:7.0"

# the official image's user ids, created before the package would create its own
RUN groupadd -r -g 999 redis && useradd -r -g redis -u 999 -d /data redis \
    && apt-get update \
    && apt-get install -y --no-install-recommends redis-server gosu \
    && rm -rf /var/lib/apt/lists/* \
    && redis-server --version | grep -q 'v=7\.0\.' \
    && mkdir /data && chown redis:redis /data

COPY redis-entrypoint.sh /usr/local/bin/docker-entrypoint.sh
VOLUME /data
WORKDIR /data
ENTRYPOINT ["docker-entrypoint.sh"]
EXPOSE 6379
CMD ["redis-server"]
