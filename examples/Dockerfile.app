# A Node app as PID 1, made a correct init by one line: init() in server.js.
# BASE and PID1 let the project's own tests build this file offline, from a
# local base image and the packed tarball (npm run test:containers).
ARG BASE=node:22-slim
FROM ${BASE}
ARG PID1=pid1
WORKDIR /app
RUN npm install "$PID1"
COPY server.js .
CMD ["node", "server.js"]
