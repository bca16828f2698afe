# syntax=docker/dockerfile:1
# The image of one Node.js service, chosen by the SERVICE build argument
# (gateway, user, order, etl: deploy/bundle/targets.ts). Build context: the
# repository root (compose.yaml: context .., dockerfile deploy/service.Dockerfile).
#
#   manifests  the package.json files and the lockfile only
#   deps       npm ci: cached until a manifest or the lockfile changes
#   build      deploy/bundle.ts bundles the service with esbuild into /out
#   runtime    node slim + /out: the bundle, the files it reads, and only the
#              production packages that cannot be bundled; no npm, no sources,
#              no dev dependencies; runs as the unprivileged `node` user
ARG NODE_IMAGE=node:20-bookworm-slim

FROM ${NODE_IMAGE} AS manifests
WORKDIR /src
COPY . .
RUN find . -type f ! -name package.json ! -name package-lock.json -delete && find . -type d -empty -delete

FROM ${NODE_IMAGE} AS deps
WORKDIR /src
COPY --from=manifests /src/ ./
RUN --mount=type=cache,target=/root/.npm npm ci --no-audit --no-fund

FROM deps AS build
COPY . .
ARG SERVICE
RUN test -n "${SERVICE}" && npx tsx deploy/bundle.ts "${SERVICE}" --out /out

FROM ${NODE_IMAGE} AS runtime
ARG SERVICE
ENV NODE_ENV=production \
    ETICKET_SERVICE=${SERVICE} \
    HOST=0.0.0.0
WORKDIR /app
# Owned by root and read-only to the service: the process cannot change its own code.
COPY --from=build /out/ /app/
# The image's `node` user, by number so an orchestrator can verify it is not root.
USER 1000:1000
EXPOSE 3000 8080 50051
HEALTHCHECK --interval=5s --timeout=3s --start-period=60s --retries=5 CMD ["node", "/app/healthcheck.mjs"]
ENTRYPOINT ["/app/docker-entrypoint.sh"]
CMD ["dist/main.mjs"]
