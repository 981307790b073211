#!/bin/sh
# A plugin that ignores SIGTERM (and SIGINT) and never exits by itself; it prints a handshake line
# naming a socket nobody listens on, whatever the cookie.
trap '' TERM INT
echo "1|1|unix|$TMPDIR/no-such-socket|grpc|"
while :; do sleep 1; done
