#!/bin/sh
# Start plugin.py with this folder's venv (the kit starts plugins in a fresh directory, so paths are
# taken from this script's own location); exec keeps the plugin's process id the one the host started.
here="$(cd "$(dirname "$0")" && pwd)"
exec "$here/.venv/bin/python" "$here/plugin.py"
