import { protocol } from 'electron';
import { contentSecurityPolicy, contentTypeFor, readStatic } from '../main/server/static-files';

/** The UI is served from app://xlab/ — never from a remote origin, never from file:// (no ambient file access). */
export const appScheme = 'app';
export const appOrigin = `${appScheme}://xlab`;

/** Must run before the app is ready. */
export function registerAppScheme(): void {
  protocol.registerSchemesAsPrivileged([
    { scheme: appScheme, privileges: { standard: true, secure: true, supportFetchAPI: true } },
  ]);
}

export function serveAppProtocol(rendererDir: string): void {
  protocol.handle(appScheme, async (request) => {
    const url = new URL(request.url);
    const found = url.host === 'xlab' ? await readStatic(rendererDir, url.pathname) : undefined;
    if (!found) return new Response('Not found', { status: 404 });
    return new Response(new Uint8Array(found.body), {
      headers: {
        'Content-Type': contentTypeFor(found.file),
        'Content-Security-Policy': contentSecurityPolicy,
        'X-Content-Type-Options': 'nosniff',
      },
    });
  });
}
