# One image for the API and the worker (docker-compose.yml picks the command).
# Debian, not Alpine: @temporalio/core-bridge ships glibc binaries.
FROM node:20-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ./
COPY src ./src
COPY workflows ./workflows
COPY activities ./activities
COPY scripts ./scripts
# tsc to dist/, then the prebuilt workflow bundle (dist/workflow-bundle.js): workers start without webpack.
RUN npm run build && npm prune --omit=dev

FROM node:20-bookworm-slim
ENV NODE_ENV=production \
    TEMPORAL_WORKFLOW_BUNDLE=/app/dist/workflow-bundle.js
WORKDIR /app
COPY --from=build /app/package.json ./
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
# Sanctions fixture: relative paths are resolved from the working directory, /app.
COPY data ./data
USER node
EXPOSE 3000
CMD ["node", "dist/src/main/api.js"]
