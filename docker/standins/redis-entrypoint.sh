#!/bin/sh
# Entrypoint of the redis:7.0 STAND-IN (docker/standins/README.md), after the official one.
set -e
# `docker run redis --appendonly yes` or a config file as the first argument
if [ "${1#-}" != "$1" ] || [ "${1%.conf}" != "$1" ]; then
    set -- redis-server "$@"
fi
if [ "$1" = redis-server ] && [ "$(id -u)" = 0 ]; then
    find . \! -user redis -exec chown redis '{}' +
    exec gosu redis "$0" "$@"
fi
if [ "$1" = redis-server ]; then
    # The official binary is built with protected mode off (the container network is the
    # boundary); Debian's has it on, which refuses other containers without a password.
    case " $* " in
        *protected-mode*) ;;
        *) set -- "$@" --protected-mode no ;;
    esac
fi
umask 0077
exec "$@"
