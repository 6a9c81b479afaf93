#!/bin/sh
# A stand-in for any server binary, run by pid1 in Dockerfile.command: it
# leaves an orphan behind (pid1 reaps it), keeps a worker, and on SIGTERM
# stops its worker and exits 0.
(sleep 1 &)
sleep infinity &
worker=$!
trap 'kill "$worker"; echo "server: stopped"; exit 0' TERM
echo "server: ready"
wait
