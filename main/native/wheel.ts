/**
 * Reads pip wheels (zip files) without Python or an unzip program: yauzl streams each entry, so
 * the 750 MB libtensorflow_cc never sits in memory.
 */
import { createWriteStream } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import yauzl from 'yauzl';
import { LabError } from '../errors';

function openZip(file: string): Promise<yauzl.ZipFile> {
  return new Promise((resolve, reject) => {
    yauzl.open(file, { lazyEntries: true, autoClose: true }, (error, zip) => {
      if (error || !zip) {
        reject(
          new LabError(
            'BAD_WHEEL',
            `${file} is not a readable wheel (zip) file: ${error?.message ?? 'no entries'}. Download it again.`,
          ),
        );
      } else resolve(zip);
    });
  });
}

/**
 * Walks a wheel's entries; `pick` says where an entry goes (a path relative to `destDir`) or
 * undefined to skip it. Returns the relative paths written.
 */
export async function extractWheel(
  file: string,
  destDir: string,
  pick: (entry: string) => string | undefined,
): Promise<string[]> {
  const zip = await openZip(file);
  const written: string[] = [];
  return new Promise((resolve, reject) => {
    const fail = (error: unknown): void => {
      zip.close();
      reject(
        error instanceof LabError
          ? error
          : new LabError('BAD_WHEEL', `Could not unpack ${file}: ${(error as Error).message}`),
      );
    };
    zip.on('error', fail);
    zip.on('end', () => resolve(written));
    zip.on('entry', (entry: yauzl.Entry) => {
      const target = pick(entry.fileName);
      if (!target || target.split('/').includes('..')) {
        zip.readEntry();
        return;
      }
      const out = join(destDir, target);
      zip.openReadStream(entry, (error, stream) => {
        if (error || !stream) return fail(error ?? new Error('no data'));
        mkdir(dirname(out), { recursive: true })
          .then(() => pipeline(stream, createWriteStream(out, { mode: 0o755 })))
          .then(() => {
            written.push(target);
            zip.readEntry();
          }, fail);
      });
    });
    zip.readEntry();
  });
}

/** The text of one entry (e.g. `<project>-<version>.dist-info/METADATA`), or undefined if absent. */
export async function readWheelEntry(file: string, match: (entry: string) => boolean): Promise<string | undefined> {
  const zip = await openZip(file);
  return new Promise((resolve, reject) => {
    let found = false;
    zip.on('error', reject);
    zip.on('end', () => {
      if (!found) resolve(undefined);
    });
    zip.on('entry', (entry: yauzl.Entry) => {
      if (!match(entry.fileName)) return zip.readEntry();
      found = true;
      zip.openReadStream(entry, (error, stream) => {
        if (error || !stream) return reject(error ?? new Error('no data'));
        const chunks: Buffer[] = [];
        stream.on('data', (c: Buffer) => chunks.push(c));
        stream.on('error', reject);
        stream.on('end', () => {
          zip.close();
          resolve(Buffer.concat(chunks).toString('utf8'));
        });
      });
    });
    zip.readEntry();
  });
}

/** A wheel's METADATA file (its Requires-Dist lines name the CUDA wheels). */
export const readWheelMetadata = (file: string): Promise<string | undefined> =>
  readWheelEntry(file, (name) => /^[^/]+\.dist-info\/METADATA$/.test(name));
