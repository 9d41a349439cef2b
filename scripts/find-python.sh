#!/usr/bin/env bash
# Prints the path of a working Python 3.10 (Rasa 3.6 needs it), or explains how to get one.
set -u
works() { "$1" -c 'import sys, venv; sys.exit(0 if sys.version_info[:2] == (3, 10) else 1)' >/dev/null 2>&1; }
for candidate in "${PYTHON:-}" python3.10 /usr/bin/python3.10 /usr/local/bin/python3.10; do
  [ -n "$candidate" ] || continue
  path=$(command -v "$candidate" 2>/dev/null) || continue
  if works "$path"; then echo "$path"; exit 0; fi
done
root=$(pyenv root 2>/dev/null || echo "${PYENV_ROOT:-$HOME/.pyenv}")
for path in $(ls -d "$root"/versions/3.10.*/bin/python3.10 2>/dev/null | sort -Vr); do
  if works "$path"; then echo "$path"; exit 0; fi
done
cat >&2 <<'MSG'
ERROR: Python 3.10 is required (Rasa Open Source 3.6 does not run on 3.11+), and none was found.
Install one, then re-run make:
  - with pyenv:   pyenv install 3.10.13
  - on Debian/Ubuntu: apt-get install python3.10 python3.10-venv   (deadsnakes PPA on Ubuntu)
  - or point to it: make PYTHON=/path/to/python3.10 ...
MSG
exit 1
