# Tollgate container image: a multi-stage build (compile with dev dependencies, ship the compiled
# gateway with production dependencies only), running as the unprivileged `node` user.
#   docker build -t tollgate .
#   docker run -p 8787:8787 -v tollgate-data:/data tollgate
# See deploy/compose.yaml for PostgreSQL + Redis + two gateway instances.

FROM node:20-bookworm-slim AS build
WORKDIR /app
# better-sqlite3 builds from source when no prebuilt binary matches the platform.
RUN apt-get update && apt-get install -y --no-install-recommends python3 make g++ && rm -rf /var/lib/apt/lists/*
COPY package.json package-lock.json tsconfig.json tsconfig.build.json ./
COPY scripts ./scripts
COPY src ./src
# `npm ci` runs the `prepare` script, which compiles src/ to dist/.
RUN npm ci && test -f dist/main.js && npm prune --omit=dev

FROM node:20-bookworm-slim
ENV NODE_ENV=production \
    HOST=0.0.0.0 \
    PORT=8787 \
    DATABASE_URL=/data/tollgate.db \
    LOG_FORMAT=json \
    TOLLGATE_NO_BUILD=1
WORKDIR /app
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
COPY package.json ./
COPY bin ./bin
COPY web ./web
RUN mkdir -p /data && chown node:node /data
USER node
VOLUME ["/data"]
EXPOSE 8787
# Liveness; orchestrators should route traffic by /readyz (database, Redis, migrations, draining).
HEALTHCHECK --interval=10s --timeout=3s --start-period=30s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:'+(process.env.PORT||8787)+'/healthz').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"]
# SIGTERM drains: no new connections, open requests and streams finish (TOLLGATE_SHUTDOWN_GRACE_MS), usage is flushed.
STOPSIGNAL SIGTERM
CMD ["node", "--enable-source-maps", "dist/main.js"]
