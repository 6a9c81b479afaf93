# A Node app as PID 1, made a correct init by one line: init() in server.js.
FROM node:22-slim
WORKDIR /app
RUN npm install pid1
COPY server.js .
CMD ["node", "server.js"]
