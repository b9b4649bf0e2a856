import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import { randomBytes } from 'node:crypto';
import { WebSocketServer, type WebSocket } from 'ws';
import { z } from 'zod';
import { labEvents, type ServerMessage } from '../contract';
import type { Lab } from '../lab';
import { dispatchCall } from '../dispatch';
import { LabError } from '../errors';
import {
  checkOrigin,
  isLoopbackHost,
  parseRequestUrl,
  requestCredentials,
  sessionCookieName,
  sessionValue,
  tokenMatches,
} from './auth';
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
  /** Hears errors of the listening socket after start (e.g. too many open files); they never end the process. */
  onError?: (message: string) => void;
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

/** The largest WebSocket message accepted; a bigger one closes that socket (1009), nothing else. */
export const maxMessageBytes = 4 * 1024 * 1024;

/**
 * The 401 answer. Browser mode starts from "xlab serve", "npm run serve" or "npm start" (when
 * Electron cannot open a window), and each prints the same line: say what to look for.
 */
export const unauthorizedText =
  "Unauthorized: this page needs the lab's link with its token. Open the full URL (http://…/?token=…) that " +
  'browser mode printed in its terminal when it started ("xlab serve", "npm run serve", or "npm start" ' +
  'without a display); a restarted server prints a new one.';

const statusText: Record<number, string> = {
  400: 'Bad Request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not Found',
  500: 'Internal Server Error',
};

/** Answers a WebSocket handshake that is not accepted with a plain HTTP response, then closes. */
function refuseUpgrade(socket: Duplex, status: number, text: string): void {
  if (socket.destroyed) return;
  const body = `${text}\n`;
  socket.end(
    `HTTP/1.1 ${status} ${statusText[status] ?? 'Error'}\r\nConnection: close\r\n` +
      `Content-Type: text/plain; charset=utf-8\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`,
  );
}

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
 * trades it for an HttpOnly session cookie (derived from the token, never the token itself) so
 * the page's assets and socket are authorised too, and the page then drops the token from its
 * address. No request, handshake or frame a client sends can end the process: bad ones get a
 * 400, a WebSocket close code, or an error answer.
 */
export async function startServer(options: ServeOptions): Promise<RunningServer> {
  const host = options.host ?? '127.0.0.1';
  const token = options.token ?? randomBytes(24).toString('hex');
  const loopback = isLoopbackHost(host);
  let port = options.port ?? 0;

  const refuse = (res: ServerResponse, status: number, text: string): void => {
    // An error after the answer started cannot become another answer: drop the connection.
    if (res.headersSent) return void res.destroy();
    res.writeHead(status, { 'Content-Type': 'text/plain; charset=utf-8', ...securityHeaders });
    res.end(`${text}\n`);
  };

  type Auth = { ok: false; status: 400 | 401 | 403; text: string } | { ok: true; url: URL; fromQuery: boolean };
  const authorise = (req: IncomingMessage): Auth => {
    const url = parseRequestUrl(req.url);
    if (!url) return { ok: false, status: 400, text: 'Bad request: the address cannot be read.' };
    const origin = checkOrigin(req, loopback);
    if (!origin.ok) return { ok: false, status: 403, text: `Forbidden: ${origin.reason}.` };
    const given = requestCredentials(req, url, port);
    if (tokenMatches(given.token, token)) return { ok: true, url, fromQuery: given.fromQuery };
    if (given.token === undefined && tokenMatches(given.session, sessionValue(token, port)))
      return { ok: true, url, fromQuery: false };
    return { ok: false, status: 401, text: unauthorizedText };
  };

  const server = createServer((req, res) => {
    void (async () => {
      const auth = authorise(req);
      if (!auth.ok) return refuse(res, auth.status, auth.text);
      if (req.method !== 'GET' && req.method !== 'HEAD') return refuse(res, 405, 'Method not allowed.');
      const path = auth.url.pathname;
      const found = await readStatic(options.staticDir, path);
      if (!found) return refuse(res, 404, `Not found: ${path}`);
      const headers: Record<string, string> = {
        'Content-Type': contentTypeFor(found.file),
        'Cache-Control': found.file.endsWith('.html') ? 'no-store' : 'private, max-age=3600',
        ...securityHeaders,
      };
      if (auth.fromQuery) {
        headers['Set-Cookie'] =
          `${sessionCookieName(port)}=${sessionValue(token, port)}; HttpOnly; SameSite=Strict; Path=/`;
      }
      res.writeHead(200, headers);
      res.end(req.method === 'HEAD' ? undefined : found.body);
    })().catch((error: unknown) => refuse(res, 500, `Internal error: ${(error as Error).message}`));
  });

  const sockets = new WebSocketServer({ noServer: true, maxPayload: maxMessageBytes });
  server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    // A client that resets or misbehaves mid-handshake must not take the server down with it.
    socket.on('error', () => socket.destroy());
    try {
      const auth = authorise(req);
      if (!auth.ok) return refuseUpgrade(socket, auth.status, auth.text);
      if (auth.url.pathname !== '/ws') return refuseUpgrade(socket, 404, `Not found: ${auth.url.pathname}`);
      sockets.handleUpgrade(req, socket, head, (ws) => serveSocket(ws, options.lab));
    } catch (error) {
      refuseUpgrade(socket, 500, `Internal error: ${(error as Error).message}`);
    }
  });

  await new Promise<void>((resolve, reject) => {
    const onError = (error: NodeJS.ErrnoException): void => {
      reject(
        error.code === 'EADDRINUSE'
          ? new LabError(
              'PORT_IN_USE',
              `Port ${port} on ${host} is already in use: pass another with --port, or --port 0 for any free one.`,
            )
          : error.code === 'EADDRNOTAVAIL' || error.code === 'ENOTFOUND'
            ? new LabError(
                'BAD_HOST',
                `Cannot listen on ${host}: no such address on this machine. Use --host 127.0.0.1.`,
              )
            : error,
      );
    };
    server.once('error', onError);
    server.listen(port, host, () => {
      server.off('error', onError);
      server.on('error', (error) =>
        options.onError?.(`The lab server hit an error and keeps running: ${error.message}`),
      );
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

/** The id of a call that failed validation, when it has one, so its answer can still reach the caller. */
function callIdOf(value: unknown): number | undefined {
  if (typeof value !== 'object' || value === null) return undefined;
  const id = (value as { id?: unknown }).id;
  return Number.isSafeInteger(id) ? (id as number) : undefined;
}

/**
 * One browser tab: its calls go through the shared dispatcher, every engine event is pushed to it.
 * A broken frame (too big, bad UTF-8, unmasked, reserved bits) ends this socket with the close
 * code ws picks (1009, 1007, 1002); a message that is not a call gets an error answer.
 */
function serveSocket(ws: WebSocket, lab: Lab): void {
  // Without a listener ws's 'error' event would be thrown and end the process. ws has already
  // sent the close frame with the code (1002, 1007, 1009) and ends the socket itself.
  ws.on('error', () => {});
  const send = (message: ServerMessage): void => {
    if (ws.readyState !== ws.OPEN) return;
    let text: string;
    try {
      text = JSON.stringify(message);
    } catch (error) {
      if (message.type !== 'result') return;
      const failure = { code: 'INTERNAL', message: `The answer could not be sent: ${(error as Error).message}` };
      text = JSON.stringify({
        type: 'result',
        id: message.id,
        result: { ok: false, error: failure },
      } satisfies ServerMessage);
    }
    // A socket that closes while this is queued reports it here, not as an exception.
    ws.send(text, () => {});
  };
  const unsubscribe = labEvents.map((event) =>
    lab.events.on(event, (payload) => send({ type: 'event', event, payload })),
  );
  ws.on('close', () => unsubscribe.forEach((off) => off()));
  ws.on('message', (data, isBinary) => {
    if (isBinary) return ws.close(1003, 'expected JSON text messages');
    let raw: unknown;
    try {
      raw = JSON.parse(data.toString());
    } catch {
      return ws.close(1007, 'expected JSON: {type:"call", id, method, args}');
    }
    const parsed = clientMessageSchema.safeParse(raw);
    if (!parsed.success) {
      const id = callIdOf(raw);
      if (id === undefined) return ws.close(1008, 'expected {type:"call", id, method, args}');
      const error = { code: 'INVALID_MESSAGE', message: 'A call must be {type:"call", id, method, args: [...]}.' };
      return send({ type: 'result', id, result: { ok: false, error } });
    }
    const message = parsed.data;
    void dispatchCall(lab, message.method, message.args).then((result) =>
      send({ type: 'result', id: message.id, result }),
    );
  });
}
