# semhub: multi-stage build, runs as a non-root user on the bundled USE-lite module (wasm backend).
# GPU variant: build FROM a CUDA 11.8 + cuDNN 8 runtime image with Node 20, and `npm install
# @tensorflow/tfjs-node-gpu` at build time (it downloads libtensorflow, so that build needs network);
# semhub picks it automatically (SEMHUB_BACKEND=auto) or on demand (SEMHUB_BACKEND=tensorflow-gpu).
FROM node:20-bookworm AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund --omit=optional && npm prune --omit=dev --no-audit --no-fund
COPY . .

FROM node:20-bookworm-slim
ENV NODE_ENV=production SEMHUB_HOST=0.0.0.0 SEMHUB_DATA_DIR=/data
WORKDIR /app
COPY --from=build /app /app
RUN mkdir -p /data && chown node:node /data
USER node
VOLUME /data
EXPOSE 4000
# Binding to 0.0.0.0 requires SEMHUB_API_KEYS (the server refuses to start open on a network).
HEALTHCHECK --interval=15s --timeout=3s --start-period=60s CMD node -e "fetch('http://127.0.0.1:'+(process.env.SEMHUB_PORT||4000)+'/healthz').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"
CMD ["node", "bin/semhub.js", "serve"]
