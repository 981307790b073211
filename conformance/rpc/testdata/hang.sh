#!/bin/sh
# A plugin that hangs before its handshake: it prints nothing and never exits by itself.
exec sleep 600
