#!/bin/sh
# A plugin that prints garbage where the handshake line belongs, then waits, whatever the cookie.
printf 'Starting plugin... \033[31mready\033[0m\n'
exec sleep 600
