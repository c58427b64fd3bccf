# syntax=docker/dockerfile:1
# Build: compile TypeScript with the dev dependencies, then keep only what runs.
FROM node:24-slim AS build
WORKDIR /app
COPY package.json package-lock.json tsconfig.json tsconfig.build.json ./
COPY src ./src
COPY commands ./commands
COPY bench ./bench
COPY eval ./eval
COPY bin ./bin
COPY assets ./assets
# npm ci runs `prepare`, which builds dist/.
RUN npm ci --no-audit --no-fund && npm prune --omit=dev

# Run: slim, non-root. Chart fonts ship in assets/fonts, so no system fonts are needed.
FROM node:24-slim
ENV NODE_ENV=production
WORKDIR /app
COPY --from=build --chown=node:node /app/package.json ./
COPY --from=build --chown=node:node /app/node_modules ./node_modules
COPY --from=build --chown=node:node /app/dist ./dist
COPY --from=build --chown=node:node /app/bin ./bin
COPY --from=build --chown=node:node /app/assets ./assets
COPY --chown=node:node config.example.yaml ./config.example.yaml
RUN mkdir -p /app/alerts && chown node:node /app/alerts
USER node
EXPOSE 8080
HEALTHCHECK --interval=15s --timeout=3s --start-period=30s \
  CMD ["node", "-e", "fetch('http://127.0.0.1:' + (process.env.TICKWATCH_HTTP_PORT || 8080) + '/healthz').then(r => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
ENTRYPOINT ["node", "bin/tickwatch.js"]
CMD ["run"]
