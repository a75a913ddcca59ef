import { createServer, connect } from 'node:net';

/** True when something accepts TCP connections at host:port within `timeoutMs`. */
export function isListening(host: string, port: number, timeoutMs = 1000): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host, port });
    const done = (ok: boolean) => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(timeoutMs, () => done(false));
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
  });
}

/** A port nothing listens on right now (the OS picks it). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() =>
        typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port')),
      );
    });
  });
}

/** `n` distinct free ports (the OS may hand the same one out twice while nothing binds it). */
export async function freePorts(n: number): Promise<number[]> {
  const ports = new Set<number>();
  while (ports.size < n) ports.add(await freePort());
  return [...ports];
}

export async function waitFor(what: string, probe: () => Promise<boolean>, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await probe()) return;
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`${what} did not become ready within ${timeoutMs / 1000}s`);
}

export function hostPort(address: string, defaultPort: number): { host: string; port: number } {
  const [host, port] = address.replace(/^[a-z]+:\/\//, '').split(':');
  return { host: host || '127.0.0.1', port: Number(port) || defaultPort };
}

/**
 * The first of `size` consecutive ports nothing listens on (a Temporal server process uses a block
 * of ports after its frontend's). Tries random blocks in 20000-29999.
 */
export async function freePortBlock(size: number, avoid: number[] = []): Promise<number> {
  for (let attempt = 0; attempt < 50; attempt++) {
    const first = 20_000 + Math.floor(Math.random() * (10_000 - size));
    const ports = Array.from({ length: size }, (_, i) => first + i);
    if (ports.some((p) => avoid.includes(p))) continue;
    const taken = await Promise.all(ports.map((p) => isListening('127.0.0.1', p, 200)));
    if (!taken.some(Boolean)) return first;
  }
  throw new Error(`no ${size} consecutive free ports found`);
}
