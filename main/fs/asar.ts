import { fileURLToPath, pathToFileURL } from 'node:url';

/**
 * Paths inside a packaged Electron app. electron-builder packs the app into `…/resources/app.asar`
 * and puts what `asarUnpack` names, as real files, at the same place under `app.asar.unpacked`.
 * Electron's own file functions and `require` see into the archive; anything else (a native
 * library, libvips reading an image, the ES module loader of a worker thread) needs real files.
 * Outside a packaged app no path has an `app.asar` part and these return their input.
 */

/** The `app.asar` folder part of a path (either separator), not `app.asar.unpacked` or `myapp.asar`. */
const packedPart = /(?<=^|[\\/])app\.asar(?=[\\/]|$)/;
const unpackedPart = /(?<=^|[\\/])app\.asar\.unpacked(?=[\\/]|$)/;

/** Where electron-builder puts an unpacked file: `…/app.asar/x` → `…/app.asar.unpacked/x`. */
export function unpackedPath(path: string): string {
  return path.replace(packedPart, 'app.asar.unpacked');
}

/** The path Electron knows an unpacked file by inside the archive: `…/app.asar.unpacked/x` → `…/app.asar/x`. */
export function packedPath(path: string): string {
  return path.replace(unpackedPart, 'app.asar');
}

/** `unpackedPath` for a file: URL. */
export function unpackedUrl(url: URL | string): URL {
  return pathToFileURL(unpackedPath(fileURLToPath(url)));
}

/** `packedPath` for a file: URL. */
export function packedUrl(url: URL | string): URL {
  return pathToFileURL(packedPath(fileURLToPath(url)));
}
