/**
 * Dropped or chosen files as `predictImages` inputs. Under Electron a file's path is known and
 * sent (folders too: the engine expands them); a browser never tells a page where a file is, so
 * the bytes are read and sent, and a dropped folder is walked here.
 */
import type { PredictInput, PredictionResult } from '../../../../main/contract';
import { bytesToBase64, isImageName } from './predict-view';
import { messageOf } from '../../lib/message-of';

export interface Collected {
  inputs: PredictInput[];
  /** Files that could not be read, with why. */
  failed: PredictionResult[];
  /** Images left out of a big folder. */
  leftOut: number;
}

/** The contract takes at most 500 inputs a call; more than that from a browser folder is left out. */
const maxBrowserFiles = 500;

async function readFile(file: File, name: string, collected: Collected): Promise<void> {
  try {
    collected.inputs.push({ name, base64: bytesToBase64(new Uint8Array(await file.arrayBuffer())) });
  } catch (error) {
    collected.failed.push({ file: name, error: `Could not read the file: ${messageOf(error)}` });
  }
}

const entryFile = (entry: FileSystemFileEntry): Promise<File> =>
  new Promise((resolve, reject) => entry.file(resolve, reject));

/** Every image under a dropped folder, by relative name, sorted (up to `maxBrowserFiles`). */
async function walk(
  entry: FileSystemEntry,
  prefix: string,
  found: { entry: FileSystemFileEntry; name: string }[],
): Promise<void> {
  if (entry.isFile) {
    if (isImageName(entry.name) && !entry.name.startsWith('.'))
      found.push({ entry: entry as FileSystemFileEntry, name: `${prefix}${entry.name}` });
    return;
  }
  if (!entry.isDirectory || entry.name.startsWith('.')) return;
  const reader = (entry as FileSystemDirectoryEntry).createReader();
  const children: FileSystemEntry[] = [];
  // readEntries answers in chunks until it answers with none.
  for (;;) {
    const chunk = await new Promise<FileSystemEntry[]>((resolve, reject) => reader.readEntries(resolve, reject));
    if (chunk.length === 0) break;
    children.push(...chunk);
  }
  children.sort((a, b) => a.name.localeCompare(b.name, 'en', { numeric: true }));
  for (const child of children) await walk(child, `${prefix}${entry.name}/`, found);
}

/**
 * What a drop carries. Must be called in the drop handler itself: the browser empties the
 * `DataTransfer` once the event is over, so everything is taken from it before the first await.
 */
export function collectDrop(
  transfer: DataTransfer,
  pathForFile: (file: File) => string | undefined,
): Promise<Collected> {
  const files = Array.from(transfer.files);
  const paths = files.map((file) => pathForFile(file));
  if (files.length > 0 && paths.every((path): path is string => typeof path === 'string' && path.length > 0)) {
    return Promise.resolve({ inputs: paths.map((path) => ({ path })), failed: [], leftOut: 0 });
  }
  const entries = Array.from(transfer.items)
    .filter((item) => item.kind === 'file')
    .map((item, i) => ({ entry: item.webkitGetAsEntry?.() ?? null, file: item.getAsFile() ?? files[i] ?? null }));
  return (async () => {
    const collected: Collected = { inputs: [], failed: [], leftOut: 0 };
    const found: { entry: FileSystemFileEntry; name: string }[] = [];
    for (const { entry, file } of entries) {
      if (entry?.isDirectory) {
        try {
          await walk(entry, '', found);
        } catch (error) {
          collected.failed.push({ file: entry.name, error: `Could not read the folder: ${messageOf(error)}` });
        }
      } else if (file) {
        if (collected.inputs.length < maxBrowserFiles) await readFile(file, file.name, collected);
        else collected.leftOut++;
      }
    }
    for (const { entry, name } of found) {
      if (collected.inputs.length >= maxBrowserFiles) {
        collected.leftOut++;
        continue;
      }
      try {
        await readFile(await entryFile(entry), name, collected);
      } catch (error) {
        collected.failed.push({ file: name, error: `Could not read the file: ${messageOf(error)}` });
      }
    }
    return collected;
  })();
}

/** Files chosen with a file input: their paths under Electron, else their bytes. */
export async function collectFiles(
  files: readonly File[],
  pathForFile: (file: File) => string | undefined,
): Promise<Collected> {
  const collected: Collected = { inputs: [], failed: [], leftOut: 0 };
  for (const file of files) {
    const path = pathForFile(file);
    if (path) collected.inputs.push({ path });
    else if (collected.inputs.length < maxBrowserFiles) await readFile(file, file.name, collected);
    else collected.leftOut++;
  }
  return collected;
}
