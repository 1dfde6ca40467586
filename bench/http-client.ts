/**
 * A lean keep-alive HTTP client for load generation: plain node:http with one pooled agent and
 * pre-encoded bodies, so the client spends as little of the shared CPU as possible.
 */
import http from 'node:http';

export interface LeanClient {
  post(body: Buffer): Promise<string>;
  close(): void;
}

export function leanClient(url: string, sockets = 32): LeanClient {
  const agent = new http.Agent({ keepAlive: true, maxSockets: sockets });
  const u = new URL(url);
  const once = (body: Buffer) =>
      new Promise<string>((resolve, reject) => {
        const req = http.request(
          { host: u.hostname, port: u.port, path: u.pathname, method: 'POST', agent, headers: { 'content-type': 'application/json', 'content-length': body.length } },
          (res) => {
            const chunks: Buffer[] = [];
            res.on('data', (c: Buffer) => chunks.push(c));
            res.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
            res.on('error', reject);
          },
        );
        req.on('error', reject);
        req.end(body);
      });
  return {
    // A kept-alive socket the server closed while idle fails at once: retry once on a fresh one.
    post: (body) =>
      once(body).catch((e: NodeJS.ErrnoException) => {
        if (e.code === 'ECONNRESET' || e.code === 'EPIPE') return once(body);
        throw e;
      }),
    close: () => agent.destroy(),
  };
}
