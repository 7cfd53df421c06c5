import { createServer } from 'node:net';
import { LOCAL_HOST } from './defaults.js';

/** Resolves true when nothing listens on host:port (by trying to listen there ourselves). */
export function isPortFree(port: number, host = LOCAL_HOST): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(false));
    server.listen({ port, host, exclusive: true }, () => server.close(() => resolve(true)));
  });
}

/** The first free port from `start`, skipping those other environments of the project hold. */
export async function findFreePort(start: number, taken: Set<number>, host = LOCAL_HOST): Promise<number> {
  for (let port = start; port < start + 200; port++) {
    if (!taken.has(port) && (await isPortFree(port, host))) return port;
  }
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen({ port: 0, host }, () => {
      const address = server.address();
      server.close(() => resolve(typeof address === 'object' && address ? address.port : 0));
    });
  });
}
