# syntax=docker/dockerfile:1
#
# PMS Intelligence Hub: the `pms-hub` binary and its site root (WASM bundle, JS glue, CSS,
# public assets) on Debian bookworm.
#
#   docker build -t pms-hub .        # needs BuildKit (the default since Docker 23)
#   docker compose up -d             # see docker-compose.yml and docs/operations.md
#
# The build stage runs scripts/build-site.sh, the release build `scripts/run` uses: the server
# in the `release` profile, the browser crate for wasm32 in the `wasm-release` profile,
# wasm-bindgen (pinned to Cargo.lock), wasm-opt -Oz (npm binaryen), then style/main.css and
# public/ copied into the site root. Cargo's registry and target directory are BuildKit cache
# mounts, so a rebuild after a code change recompiles only what changed.
#
# The container needs DATABASE_URL: the private PostgreSQL cluster that `scripts/run` starts
# when it is unset is not available here (no PostgreSQL binaries in the image).

ARG RUST_VERSION=1.95
ARG DEBIAN_RELEASE=bookworm

# ---------------------------------------------------------------------------------------------
FROM rust:${RUST_VERSION}-${DEBIAN_RELEASE} AS build
SHELL ["/bin/bash", "-euo", "pipefail", "-c"]
ENV DEBIAN_FRONTEND=noninteractive
# wasm-opt from npm's binaryen, as scripts/setup installs it (Debian's binaryen 108 corrupts
# wasm-bindgen's output: the page never hydrates).
ARG BINARYEN_VERSION=132.0.0

# Debian stable's packages, unpinned: security updates apply at each rebuild.
# hadolint ignore=DL3008
RUN apt-get update; \
    apt-get install -y --no-install-recommends nodejs npm; \
    rm -rf /var/lib/apt/lists/*
RUN rustup target add wasm32-unknown-unknown
WORKDIR /opt/binaryen
RUN npm init -y >/dev/null; \
    npm install --no-audit --no-fund "binaryen@${BINARYEN_VERSION}" >/dev/null; \
    ln -s /opt/binaryen/node_modules/binaryen/bin/wasm-opt /usr/local/bin/wasm-opt; \
    wasm-opt --version

WORKDIR /src

# wasm-bindgen-cli exactly at Cargo.lock's wasm-bindgen (read as scripts/setup reads it), built
# with LTO off and 16 codegen units as scripts/setup does. Only Cargo.lock is copied first, so
# this layer is rebuilt only when the lock file changes.
COPY Cargo.lock ./
RUN --mount=type=cache,target=/usr/local/cargo/registry,sharing=locked \
    --mount=type=cache,target=/cache/tool-build,sharing=locked \
    version=$(sed -n '/^name = "wasm-bindgen"$/{n;s/^version = "\(.*\)"$/\1/p;}' Cargo.lock); \
    test -n "$version"; \
    CARGO_TARGET_DIR=/cache/tool-build CARGO_PROFILE_RELEASE_LTO=false \
    CARGO_PROFILE_RELEASE_CODEGEN_UNITS=16 \
        cargo install wasm-bindgen-cli --version "$version" --root /usr/local --force; \
    wasm-bindgen --version

COPY . .

# scripts/build-site.sh names its output folder by a hash of the work tree's files, which it
# lists with `git ls-files` (.git is not sent to the builder: an empty repository lists the
# same files as untracked), and of $PMS_CACHE/toolchain.env (empty: rustup's toolchain).
# PMS_CACHE is a fresh folder in this layer, so nothing is ever reused from an older build;
# CARGO_TARGET_DIR is the cache mount. Commands are joined with `;`, not `&&`, so that `set -e`
# stays in force inside the sourced scripts: a failed cargo build fails this step.
RUN --mount=type=cache,target=/usr/local/cargo/registry,sharing=locked \
    --mount=type=cache,target=/usr/local/cargo/git,sharing=locked \
    --mount=type=cache,target=/cache/target,sharing=locked \
    git init -q .; \
    export PMS_CACHE=/tmp/pms-cache CARGO_TARGET_DIR=/cache/target; \
    mkdir -p "$PMS_CACHE"; \
    : > "$PMS_CACHE/toolchain.env"; \
    . scripts/env.sh; \
    . scripts/build-site.sh; \
    install -D -m 0755 "$PMS_BIN" /out/pms-hub; \
    cp -r "$LEPTOS_SITE_ROOT" /out/site; \
    test -f /out/site/pkg/pms-hub.wasm; \
    test -f /out/site/pkg/pms-hub.js; \
    test -f /out/site/pkg/pms-hub.css

# ---------------------------------------------------------------------------------------------
FROM debian:${DEBIAN_RELEASE}-slim AS runtime
# ca-certificates: TLS to Salesforce, the Wealth Spectrum API and a database that requires TLS.
# curl: the health check (pms-hub has no health subcommand).
# hadolint ignore=DL3008
RUN apt-get update \
 && apt-get install -y --no-install-recommends ca-certificates curl \
 && rm -rf /var/lib/apt/lists/*
RUN groupadd --system --gid 10001 pms \
 && useradd --system --uid 10001 --gid 10001 --home-dir /var/lib/pms-hub \
        --shell /usr/sbin/nologin pms \
 && install -d -o 10001 -g 10001 -m 0750 /var/lib/pms-hub

COPY --from=build /out/pms-hub /usr/local/bin/pms-hub
COPY --from=build /out/site /usr/share/pms-hub/site

# As scripts/site-env.sh sets them: where the site root is and what the bundle is called.
ENV LEPTOS_OUTPUT_NAME=pms-hub \
    LEPTOS_SITE_ROOT=/usr/share/pms-hub/site \
    LEPTOS_SITE_PKG_DIR=pkg \
    LEPTOS_ENV=PROD \
    PMS_BIND=0.0.0.0:3000 \
    PMS_DATA_DIR=/var/lib/pms-hub \
    PMS_LOG_FORMAT=json

# PMS_DATA_DIR holds uploads in flight, the drop folder (inbox/), the audit checkpoint
# (audit-checkpoint.json) and demo files: mount a volume here (docker-compose.yml does).
USER 10001:10001
WORKDIR /var/lib/pms-hub
EXPOSE 3000

# /healthz answers once the server listens, which is after the migrations (and, with
# PMS_DEMO_ON_EMPTY=true on an empty database, the demo load): hence the long start period.
HEALTHCHECK --interval=30s --timeout=5s --start-period=180s --retries=3 \
    CMD ["sh", "-c", "curl -fsS -o /dev/null \"http://127.0.0.1:${PMS_BIND##*:}/healthz\" || exit 1"]

# SIGTERM (docker stop) shuts the server down gracefully.
CMD ["pms-hub", "serve"]
