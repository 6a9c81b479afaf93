# pid1 in front of any command, where tini or dumb-init would go.
# BASE and PID1 let the project's own tests build this file offline, from a
# local base image and the packed tarball (npm run test:containers).
ARG BASE=node:22-slim
FROM ${BASE}
ARG PID1=pid1
RUN npm install -g "$PID1"
# Any program: here a shell stand-in for a server (server.sh).
COPY server.sh /app/server
ENTRYPOINT ["pid1", "--"]
CMD ["/app/server"]
