# pid1 in front of any command, where tini or dumb-init would go.
FROM node:22-slim
RUN npm install -g pid1
ENTRYPOINT ["pid1", "--"]
CMD ["sh", "-c", "sleep 1 & exec sleep infinity"]
