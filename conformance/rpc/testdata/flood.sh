#!/bin/sh
# A plugin that floods stdout without a newline, then waits.
head -c 200000 /dev/zero | tr '\000' 'a'
exec sleep 600
