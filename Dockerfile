# semhub: multi-stage build; runs as the non-root `node` user on the bundled USE-lite module with
# the WebAssembly backend. `docker build -t semhub .` then
#   docker run -p 4000:4000 -v semhub-data:/data -e SEMHUB_API_KEYS="<32+ random chars>:admin" semhub
# The container binds 0.0.0.0, so the server refuses to start without SEMHUB_API_KEYS.
#
# GPU variant (NVIDIA, Linux): @tensorflow/tfjs-node-gpu 4.22 links libtensorflow 2.9 against
# CUDA 11 (11.2 documented; later 11.x runtimes work by CUDA minor-version compatibility) and
# cuDNN 8. Use the same two stages with these changes:
#   - both stages FROM nvidia/cuda:11.8.0-cudnn8-runtime-ubuntu22.04, plus Node 20 (NodeSource
#     apt repository) and, in the build stage, python3 make g++;
#   - install WITH optional dependencies: `RUN npm ci --no-audit --no-fund && npm prune --omit=dev`
#     (tfjs-node-gpu's install script downloads libtensorflow-gpu, so the build needs network);
#   - run with `docker run --gpus all -e SEMHUB_BACKEND=tensorflow-gpu …` (NVIDIA Container
#     Toolkit on the host); `auto` also picks it, but an explicit value fails loudly when the GPU
#     backend cannot load instead of falling back to the CPU. /healthz and `modules { backend }`
#     show the backend in use, and /metrics exports semhub_encoder_backend.

FROM node:20-bookworm AS build
WORKDIR /app
COPY package.json package-lock.json ./
# --omit=optional leaves out the native TensorFlow backends (their install downloads libtensorflow).
# It also leaves out esbuild's platform package (tsx needs esbuild); esbuild's install script then
# fetches that binary from the registry itself. node:20-bookworm has python3, make and g++ for
# the two native addons (better-sqlite3, hnswlib-node).
RUN npm ci --no-audit --no-fund --omit=optional
COPY . .
# Fail the build, not the first start: tsx (esbuild) runs the CLI, the native addons load.
RUN node bin/semhub.js help >/dev/null \
 && node -e "require('better-sqlite3'); require('hnswlib-node')" \
 && npm prune --omit=dev --no-audit --no-fund

FROM node:20-bookworm-slim
ENV NODE_ENV=production SEMHUB_HOST=0.0.0.0 SEMHUB_DATA_DIR=/data
WORKDIR /app
COPY --from=build /app /app
RUN mkdir -p /data && chown node:node /data
USER node
VOLUME /data
EXPOSE 4000
HEALTHCHECK --interval=15s --timeout=3s --start-period=60s CMD node -e "fetch('http://127.0.0.1:'+(process.env.SEMHUB_PORT||4000)+'/healthz').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"
CMD ["node", "bin/semhub.js", "serve"]
