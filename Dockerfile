# One image for every Alluxio role, and the operator image from the same package.
#   docker build --target alluxio  -t alluxio/alluxio-ts:0.1.0 .
#   docker build --target operator -t alluxio/alluxio-ts-operator:0.1.0 .
# Roles: `alluxio process start coordinator|worker`, `alluxio fuse mount <dir>`, `alluxio operator`.

FROM node:22-bookworm-slim AS build
WORKDIR /src
COPY package.json package-lock.json ./
RUN npm ci --ignore-scripts=false
COPY tsconfig.json ./
COPY src ./src
COPY bin ./bin
RUN npx tsc -p tsconfig.json --outDir /src/dist \
 && npm prune --omit=dev
# The FUSE binding fork (native/fuse: cached reads answered on libfuse's thread). Optional: if it
# does not build, the FUSE role runs on stock fuse-native (src/fuse/fuse-binding.ts warns).
COPY native ./native
COPY scripts/build-native.sh ./scripts/
RUN mkdir -p build/native \
 && apt-get update && apt-get install -y --no-install-recommends gcc libc6-dev libfuse2 \
 && (bash scripts/build-native.sh || echo "the FUSE binding fork did not build: the image uses stock fuse-native") \
 && rm -rf /var/lib/apt/lists/*

FROM node:22-bookworm-slim AS runtime
# fuse3/libfuse2 for the FUSE role; tini reaps children and forwards signals; mount (umount) for the
# FUSE pod's stale-mount cleanup (builders/fuse.ts).
RUN apt-get update \
 && apt-get install -y --no-install-recommends fuse3 libfuse2 tini mount ca-certificates \
 && rm -rf /var/lib/apt/lists/* \
 && groupmod -n alluxio node && usermod -l alluxio -d /home/alluxio -m node \
 && mkdir -p /opt/alluxio/conf /mnt/alluxio && chown -R 1000:1000 /opt/alluxio /mnt/alluxio
WORKDIR /opt/alluxio
COPY --from=build /src/node_modules ./node_modules
COPY --from=build /src/dist/src ./lib
COPY --from=build /src/native/fuse ./native/fuse
COPY --from=build /src/build/native ./build/native
COPY package.json ./
# Data files read at runtime (Alluxio's property key names, src/conf/alluxio-known-keys.ts).
COPY resources ./resources
# The Grafana dashboard the operator puts in its ConfigMap (src/operator/builders/grafana-dashboard.ts).
COPY deploy/grafana ./deploy/grafana
# Alluxio 2.x's place for the Kubernetes specs (docker cp <id>:/opt/alluxio/integration/kubernetes/ -):
# the alluxio chart and the kubectl template directories (docs/alluxio-2x.md).
COPY deploy/helm/alluxio ./integration/kubernetes/helm/alluxio
COPY deploy/kubectl ./integration/kubernetes/
# The compiled CLI, without tsx (a dev dependency).
RUN printf '#!/bin/sh\nexec node /opt/alluxio/lib/cli/main.js "$@"\n' > /usr/local/bin/alluxio \
 && printf '#!/bin/sh\n# alluxio-fuse mount <dir> [-o opts]: the FUSE process in the foreground (alluxio fuse mount -f); other verbs go to alluxio fuse.\nif [ "$1" = mount ]; then shift; exec node /opt/alluxio/lib/cli/main.js fuse mount -f "$@"; fi\nexec node /opt/alluxio/lib/cli/main.js fuse "$@"\n' > /usr/local/bin/alluxio-fuse \
 && chmod 755 /usr/local/bin/alluxio /usr/local/bin/alluxio-fuse
ENV ALLUXIO_CONF_DIR=/opt/alluxio/conf NODE_ENV=production

FROM runtime AS alluxio
# Non-root (uid 1000, user alluxio) by default; the FUSE DaemonSet runs as root.
USER 1000:1000
EXPOSE 19998 19999 28080 29997 29998 29999 30000 49999
ENTRYPOINT ["/usr/bin/tini", "--", "alluxio"]
CMD ["process", "start", "worker"]

FROM runtime AS operator
USER 1000:1000
ENTRYPOINT ["/usr/bin/tini", "--", "alluxio"]
CMD ["operator"]
