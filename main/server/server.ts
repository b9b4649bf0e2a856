import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import { randomBytes } from 'node:crypto';
import { WebSocketServer, type WebSocket } from 'ws';
import { z } from 'zod';
import { labEvents, type ServerMessage } from '../contract';
import type { Lab } from '../lab';
import { dispatchCall } from '../dispatch';
import { LabError } from '../errors';
import { checkOrigin, isLoopbackHost, requestToken, tokenCookieName, tokenMatches } from './auth';
import { contentSecurityPolicy, contentTypeFor, readStatic } from './static-files';

export interface ServeOptions {
  lab: Lab;
  /** The built renderer (out/renderer). */
  staticDir: string;
  host?: string;
  /** 0 picks a free port. */
  port?: number;
  /** Fixed token (tests); a random one otherwise. */
  token?: string;
}

export interface RunningServer {
  url: string;
  host: string;
  port: number;
  token: string;
  close(): Promise<void>;
}

const clientMessageSchema = z.object({
  type: z.literal('call'),
  id: z.number().int(),
  method: z.string(),
  args: z.array(z.unknown()),
});

const securityHeaders = {
  'Content-Security-Policy': contentSecurityPolicy,
  'X-Content-Type-Options': 'nosniff',
  'Referrer-Policy': 'no-referrer',
  'Cross-Origin-Opener-Policy': 'same-origin',
  'X-Frame-Options': 'DENY',
};

/**
 * Browser mode: serves the built UI and the same LabApi + events over one WebSocket at /ws.
 * Like Jupyter, every request needs the random token printed in the URL; the first page load
 * trades it for an HttpOnly cookie so the page's assets and socket are authorised too.
 */
export async function startServer(options: ServeOptions): Promise<RunningServer> {
  const host = options.host ?? '127.0.0.1';
  const token = options.token ?? randomBytes(24).toString('hex');
  const loopback = isLoopbackHost(host);
  let port = options.port ?? 0;

  const refuse = (res: ServerResponse, status: number, text: string): void => {
    res.writeHead(status, { 'Content-Type': 'text/plain; charset=utf-8', ...securityHeaders });
    res.end(`${text}\n`);
  };

  type Auth = { ok: false; status: 401 | 403; text: string } | { ok: true; fromQuery: boolean };
  const authorise = (req: IncomingMessage): Auth => {
    const origin = checkOrigin(req, loopback);
    if (!origin.ok) return { ok: false, status: 403, text: `Forbidden: ${origin.reason}.` };
    const given = requestToken(req, port);
    if (!tokenMatches(given.token, token)) {
      return { ok: false, status: 401, text: 'Unauthorized: open the full URL printed by "xlab serve", including ?token=…' };
    }
    return { ok: true, fromQuery: given.fromQuery };
  };

  const server = createServer((req, res) => {
    void (async () => {
      const auth = authorise(req);
      if (!auth.ok) return refuse(res, auth.status, auth.text);
      if (req.method !== 'GET' && req.method !== 'HEAD') return refuse(res, 405, 'Method not allowed.');
      const path = new URL(req.url ?? '/', 'http://localhost').pathname;
      const found = await readStatic(options.staticDir, path);
      if (!found) return refuse(res, 404, `Not found: ${path}`);
      const headers: Record<string, string> = {
        'Content-Type': contentTypeFor(found.file),
        'Cache-Control': found.file.endsWith('.html') ? 'no-store' : 'private, max-age=3600',
        ...securityHeaders,
      };
      if (auth.fromQuery) {
        headers['Set-Cookie'] = `${tokenCookieName(port)}=${token}; HttpOnly; SameSite=Strict; Path=/`;
      }
      res.writeHead(200, headers);
      res.end(req.method === 'HEAD' ? undefined : found.body);
    })().catch((error: unknown) => refuse(res, 500, `Internal error: ${(error as Error).message}`));
  });

  const sockets = new WebSocketServer({ noServer: true, maxPayload: 4 * 1024 * 1024 });
  server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    const path = new URL(req.url ?? '/', 'http://localhost').pathname;
    const auth = authorise(req);
    if (path !== '/ws' || !auth.ok) {
      const status = !auth.ok ? auth.status : 404;
      socket.end(`HTTP/1.1 ${status} ${status === 401 ? 'Unauthorized' : status === 403 ? 'Forbidden' : 'Not Found'}\r\nConnection: close\r\n\r\n`);
      return;
    }
    sockets.handleUpgrade(req, socket, head, (ws) => serveSocket(ws, options.lab));
  });

  await new Promise<void>((resolve, reject) => {
    const onError = (error: NodeJS.ErrnoException): void => {
      reject(
        error.code === 'EADDRINUSE'
          ? new LabError('PORT_IN_USE', `Port ${port} on ${host} is already in use: pass another with --port, or --port 0 for any free one.`)
          : error.code === 'EADDRNOTAVAIL' || error.code === 'ENOTFOUND'
            ? new LabError('BAD_HOST', `Cannot listen on ${host}: no such address on this machine. Use --host 127.0.0.1.`)
            : error,
      );
    };
    server.once('error', onError);
    server.listen(port, host, () => {
      server.off('error', onError);
      resolve();
    });
  });
  const address = server.address();
  if (address && typeof address === 'object') port = address.port;
  const urlHost = host.includes(':') ? `[${host}]` : host === '0.0.0.0' ? '127.0.0.1' : host;

  return {
    url: `http://${urlHost}:${port}/?token=${token}`,
    host,
    port,
    token,
    async close() {
      for (const client of sockets.clients) client.terminate();
      await new Promise<void>((resolve) => sockets.close(() => resolve()));
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** One browser tab: its calls go through the shared dispatcher, every engine event is pushed to it. */
function serveSocket(ws: WebSocket, lab: Lab): void {
  const send = (message: ServerMessage): void => {
    if (ws.readyState === ws.OPEN) ws.send(JSON.stringify(message));
  };
  const unsubscribe = labEvents.map((event) => lab.events.on(event, (payload) => send({ type: 'event', event, payload })));
  ws.on('close', () => unsubscribe.forEach((off) => off()));
  ws.on('message', (data) => {
    let message: z.infer<typeof clientMessageSchema>;
    try {
      message = clientMessageSchema.parse(JSON.parse(data.toString()));
    } catch {
      ws.close(1003, 'expected {type:"call", id, method, args}');
      return;
    }
    void dispatchCall(lab, message.method, message.args).then((result) => send({ type: 'result', id: message.id, result }));
  });
}
