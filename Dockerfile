# The production image: one `pnpm deploy --prod` folder per process, run by plain Node.
# compose.yaml runs /app/api (API and migration step) and /app/worker; /app/cli holds the CLI bin.
FROM node:20-bookworm-slim AS build
# better-sqlite3 compiles from source against the image's own Node headers.
RUN apt-get update && apt-get install -y --no-install-recommends python3 make g++ && rm -rf /var/lib/apt/lists/*
RUN npm install --global --no-fund --no-audit pnpm@10.34.9
ENV TURBO_TELEMETRY_DISABLED=1 DO_NOT_TRACK=1 npm_config_nodedir=/usr/local
WORKDIR /repo
COPY . .
RUN pnpm install --frozen-lockfile
RUN pnpm exec turbo run build --filter=@meander/api --filter=@meander/worker --filter=@meander/cli
RUN pnpm --filter @meander/api deploy --prod --config.inject-workspace-packages=true /app/api \
 && pnpm --filter @meander/worker deploy --prod --config.inject-workspace-packages=true /app/worker \
 && pnpm --filter @meander/cli deploy --prod --config.inject-workspace-packages=true /app/cli

FROM node:20-bookworm-slim
ENV NODE_ENV=production
COPY --from=build /app /app
USER node
WORKDIR /app/api
CMD ["node", "dist/main.js"]
