# STAND-IN for the official `postgres:15`, for `make test-deploy` on a machine that cannot
# pull images (docker/standins/README.md). Never for a school's server.
#
# What docker-compose.yml relies on, as the official image provides it: PostgreSQL 15 from
# Debian 12, pg_isready and psql on the PATH, a `postgres` user (uid 999), the cluster in
# PGDATA=/var/lib/postgresql/data (a volume), listening on every interface with password
# authentication for network clients, and an entrypoint that creates the cluster, the
# POSTGRES_USER role (password POSTGRES_PASSWORD) and the POSTGRES_DB database at the first
# start only, then runs `postgres` in the foreground (as root it drops to `postgres`; the
# compose file runs it as `postgres` directly).
ARG BASE=negotiation-standin/debian:bookworm
FROM ${BASE}
ARG STANDIN_RECIPE
LABEL org.negotiation-coach.standin="${STANDIN_RECIPE}" \
      org.negotiation-coach.standin.for="postgres:15"

# the official image's user ids; no cluster created by the Debian package
RUN groupadd -r -g 999 postgres \
    && useradd -r -g postgres -u 999 -d /var/lib/postgresql -s /bin/bash postgres \
    && mkdir -p /var/lib/postgresql /etc/postgresql-common \
    && chown -R postgres:postgres /var/lib/postgresql \
    && echo 'create_main_cluster = false' > /etc/postgresql-common/createcluster.conf \
    && apt-get update \
    && apt-get install -y --no-install-recommends postgresql-15 gosu \
    && rm -rf /var/lib/apt/lists/* \
    && sed -ri "s!^#?(listen_addresses)\s*=\s*\S+.*!\1 = '*'!" /usr/share/postgresql/15/postgresql.conf.sample \
    && grep -F "listen_addresses = '*'" /usr/share/postgresql/15/postgresql.conf.sample \
    && mkdir -p /var/run/postgresql && chown -R postgres:postgres /var/run/postgresql \
    && chmod 3777 /var/run/postgresql

ENV PG_MAJOR=15 \
    PATH=$PATH:/usr/lib/postgresql/15/bin \
    PGDATA=/var/lib/postgresql/data \
    LANG=C.UTF-8
RUN mkdir -p "$PGDATA" && chown -R postgres:postgres "$PGDATA" && chmod 1777 "$PGDATA"
VOLUME /var/lib/postgresql/data

COPY postgres-entrypoint.sh /usr/local/bin/docker-entrypoint.sh
ENTRYPOINT ["docker-entrypoint.sh"]
STOPSIGNAL SIGINT
EXPOSE 5432
CMD ["postgres"]
