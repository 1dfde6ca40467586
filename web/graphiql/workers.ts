/**
 * Where monaco (GraphiQL's editor) finds its web workers: the files bin/build-web.js bundles next
 * to the page, served from this origin (worker-src 'self'), never a CDN.
 */
const WORKER_FILES: Record<string, string> = {
  json: '/assets/json.worker.js',
  graphql: '/assets/graphql.worker.js',
};

(globalThis as { MonacoEnvironment?: unknown }).MonacoEnvironment = {
  getWorker(_workerId: string, label: string): Worker {
    return new Worker(WORKER_FILES[label] ?? '/assets/editor.worker.js', { name: label });
  },
};

export {};
