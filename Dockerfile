# semhub: multi-stage build; runs the compiled server (dist/, built from src/ in the build stage)
# as the non-root `node` user on the bundled USE-lite module with
# the encoder on ONNX Runtime's CPU provider (onnx-cpu: onnxruntime-node is a regular dependency and
# its CPU library ships in the npm tarball; tfjs wasm stays as the fallback). `docker build -t semhub .`
#   docker run -p 4000:4000 -v semhub-data:/data -e SEMHUB_API_KEYS="<32+ random chars>:admin" semhub
# The container binds 0.0.0.0, so the server refuses to start without SEMHUB_API_KEYS.
#
# GPU (NVIDIA, Linux): Dockerfile.gpu builds on a CUDA 12 + cuDNN 9 image, installs ONNX Runtime's
# CUDA provider and runs SEMHUB_BACKEND=onnx-cuda; docs/encoder-runtime.md describes it. The old
# GPU path (@tensorflow/tfjs-node-gpu on CUDA 11 / cuDNN 8) is no longer the documented one.

FROM node:20-bookworm AS build
WORKDIR /app
# .npmrc comes along: its onnxruntime-node-install=skip keeps onnxruntime-node's install script from
# downloading the CUDA provider from NuGet (on linux/x64 it does by default; npm 10 does not read
# package.json's allowScripts).
COPY package.json package-lock.json .npmrc ./
# bin/build.js is npm's prepare script, which `npm ci` runs: src/ is not here yet, so it skips
# (saying so), and dist/ is built after `COPY . .` below.
COPY bin ./bin
# --omit=optional leaves out the native TensorFlow backends (their install downloads libtensorflow).
# It also leaves out esbuild's platform package (tsx, which `semhub bench` runs on, needs esbuild);
# esbuild's install script then fetches that binary from the registry itself. node:20-bookworm has
# python3, make and g++ for the native addons (better-sqlite3, hnswlib-node, and semhub's own
# hnswlib binding in native/hnsw, which `npm run build` compiles below).
RUN npm ci --no-audit --no-fund --omit=optional
COPY . .
# Compile src/ to dist/ and bundle web/ into dist/web/ while typescript, esbuild and the pages'
# libraries (devDependencies) are here, then fail the build, not the first start: the compiled CLI
# runs, the native addons load. Then the devDependencies go.
RUN npm run build \
 && node bin/semhub.js help >/dev/null \
 && node -e "require('better-sqlite3'); require('hnswlib-node'); require('./native/hnsw/build/Release/semhub_hnsw.node')" \
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
