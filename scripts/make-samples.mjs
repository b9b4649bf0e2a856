// Builds assets/samples/fashion-mini/: the sample dataset the app offers on first start.
// 10 classes × 30 grayscale 28×28 PNGs, the first 30 images of each class in the Fashion-MNIST
// *test* set (t10k), read from Debian's dataset-fashion-mnist package, plus sample.json and LICENSE.
//
//   npm run samples            regenerate; replaces the folder only when something differs, and says what
//   npm run samples -- --check exit 1 (writing nothing) when the committed folder is not what the script makes
//
// FASHION_MNIST_DIR overrides where the IDX files are read from.
import { gunzipSync } from 'node:zlib';
import { existsSync } from 'node:fs';
import { mkdir, readFile, readdir, rename, rm, stat, writeFile, mkdtemp } from 'node:fs/promises';
import { dirname, join, relative, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import sharp from 'sharp';
import { parseIdx } from './idx.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const SOURCE_DIR = process.env.FASHION_MNIST_DIR ?? '/usr/share/datasets/fashion-mnist';
const COPYRIGHT_FILE = '/usr/share/doc/dataset-fashion-mnist/copyright';
const TARGET = join(root, 'assets', 'samples', 'fashion-mini');
const PER_CLASS = 30;
const SIZE = 28;
const MAX_BYTES = 2 * 1024 * 1024;
// Label i of Fashion-MNIST is CLASSES[i] (upstream README), made safe as folder names.
const CLASSES = [
  'T-shirt_top',
  'Trouser',
  'Pullover',
  'Dress',
  'Coat',
  'Sandal',
  'Shirt',
  'Sneaker',
  'Bag',
  'Ankle_boot',
];

const check = process.argv.includes('--check');

try {
  await main();
} catch (error) {
  console.error(`make-samples: ${error instanceof Error ? error.message : String(error)}`);
  process.exitCode = 1;
}

async function main() {
  if (!existsSync(SOURCE_DIR)) {
    throw new Error(
      `${SOURCE_DIR} not found: install Fashion-MNIST with \`sudo apt-get install dataset-fashion-mnist\` (or set FASHION_MNIST_DIR).`,
    );
  }
  const images = await readIdxGz(join(SOURCE_DIR, 't10k-images-idx3-ubyte.gz'));
  const labels = await readIdxGz(join(SOURCE_DIR, 't10k-labels-idx1-ubyte.gz'));
  const [count, height, width] = images.dims;
  if (images.dims.length !== 3 || height !== SIZE || width !== SIZE) {
    throw new Error(`t10k-images-idx3-ubyte.gz: expected N×${SIZE}×${SIZE} images, found ${images.dims.join('×')}.`);
  }
  if (labels.dims.length !== 1 || labels.dims[0] !== count) {
    throw new Error(
      `t10k-labels-idx1-ubyte.gz: expected ${count} labels to match the images, found ${labels.dims.join('×')}.`,
    );
  }

  // The first PER_CLASS indices of each label, in file order: deterministic.
  /** @type {number[][]} */
  const picked = CLASSES.map(() => []);
  for (let i = 0; i < /** @type {number} */ (count); i++) {
    const label = /** @type {number} */ (labels.data[i]);
    const bucket = picked[label];
    if (!bucket) throw new Error(`t10k-labels-idx1-ubyte.gz: label ${label} at index ${i} is not in 0–9.`);
    if (bucket.length < PER_CLASS) bucket.push(i);
  }
  picked.forEach((bucket, c) => {
    if (bucket.length < PER_CLASS)
      throw new Error(`only ${bucket.length} test images of class ${CLASSES[c]}; need ${PER_CLASS}.`);
  });

  await mkdir(dirname(TARGET), { recursive: true });
  const temp = await mkdtemp(join(dirname(TARGET), '.fashion-mini-'));
  try {
    await writeSample(temp, images.data, picked);
    const changes = await diffTrees(TARGET, temp);
    const total = await treeSize(temp);
    if (total > MAX_BYTES) throw new Error(`generated sample is ${kb(total)}, over the 2 MB limit.`);

    if (changes === null) {
      console.log(
        `${relative(root, TARGET)}: up to date (${CLASSES.length} classes × ${PER_CLASS} images, ${kb(total)}).`,
      );
      return;
    }
    const summary = describe(changes);
    if (check) {
      throw new Error(
        `${relative(root, TARGET)} differs from what the script generates:\n${summary}\nRun \`npm run samples\` to regenerate it.`,
      );
    }
    if (existsSync(TARGET)) {
      console.log(`${relative(root, TARGET)} differs from a fresh build; replacing it:\n${summary}`);
      const old = `${temp}-old`;
      await rename(TARGET, old);
      await rename(temp, TARGET);
      await rm(old, { recursive: true, force: true });
    } else {
      await rename(temp, TARGET);
    }
    console.log(
      `${relative(root, TARGET)}: wrote ${CLASSES.length} classes × ${PER_CLASS} images, sample.json, LICENSE (${kb(total)}).`,
    );
  } finally {
    await rm(temp, { recursive: true, force: true });
  }
}

/**
 * Reads and gunzips one IDX file; errors name the file.
 * @param {string} path
 */
async function readIdxGz(path) {
  let bytes;
  try {
    bytes = await readFile(path);
  } catch (error) {
    const code = /** @type {NodeJS.ErrnoException} */ (error).code;
    const why = code === 'ENOENT' ? 'file not found' : String(error);
    throw new Error(`${path}: ${why}; reinstall it with \`sudo apt-get install --reinstall dataset-fashion-mnist\`.`, {
      cause: error,
    });
  }
  try {
    bytes = gunzipSync(bytes);
  } catch (error) {
    throw new Error(
      `${path}: cannot be gunzipped (${error instanceof Error ? error.message : error}); reinstall \`dataset-fashion-mnist\`.`,
      { cause: error },
    );
  }
  return parseIdx(bytes, path);
}

/**
 * Writes the PNGs, sample.json and LICENSE into dir.
 * @param {string} dir
 * @param {Uint8Array} pixels all test images, 28×28 bytes each
 * @param {number[][]} picked indices per class
 */
async function writeSample(dir, pixels, picked) {
  const pixelsPerImage = SIZE * SIZE;
  for (const [c, indices] of picked.entries()) {
    const classDir = join(dir, /** @type {string} */ (CLASSES[c]));
    await mkdir(classDir);
    for (const i of indices) {
      const raw = pixels.subarray(i * pixelsPerImage, (i + 1) * pixelsPerImage);
      // 'b-w' keeps the PNG 8-bit grayscale (sharp would otherwise widen it to RGB);
      // sharp writes no timestamps, so the bytes are the same every run.
      const png = await sharp(raw, { raw: { width: SIZE, height: SIZE, channels: 1 } })
        .toColourspace('b-w')
        .png({ compressionLevel: 9, adaptiveFiltering: true })
        .toBuffer();
      await writeFile(join(classDir, `t10k-${String(i).padStart(5, '0')}.png`), png);
    }
  }
  const meta = {
    id: 'fashion-mini',
    name: 'Fashion-MNIST mini',
    description:
      `${CLASSES.length * PER_CLASS} grayscale ${SIZE}×${SIZE} images of clothes, shoes and bags in ${CLASSES.length} classes, ` +
      `the first ${PER_CLASS} of each class in the Fashion-MNIST test set: small enough to train on in a minute, too small for a good model.`,
    license: 'MIT',
    source: "Fashion-MNIST (Zalando Research), via Debian's dataset-fashion-mnist",
    classes: CLASSES,
  };
  await writeFile(join(dir, 'sample.json'), `${JSON.stringify(meta, null, 2)}\n`);
  await writeFile(join(dir, 'LICENSE'), await licenseText());
}

/**
 * The MIT licence with the upstream copyright line, taken from the Debian copyright file
 * (machine-readable DEP-5: the `Files: *` stanza's Copyright, the `License: Expat` body).
 */
async function licenseText() {
  let text;
  try {
    text = await readFile(COPYRIGHT_FILE, 'utf8');
  } catch {
    throw new Error(
      `${COPYRIGHT_FILE} not found: install \`dataset-fashion-mnist\`, whose licence must ship with the sample.`,
    );
  }
  const stanzas = text.split(/\n\s*\n/);
  const upstream = stanzas.find((s) => /^Files:\s*\*\s*$/m.test(s));
  const copyright = upstream?.match(/^Copyright:\s*(.+)$/m)?.[1]?.trim();
  const licenseStanza = stanzas.find((s) => /^License:\s*Expat\s*$/m.test(s) && /^ /m.test(s));
  if (!copyright || !/Zalando/.test(copyright) || !licenseStanza) {
    throw new Error(
      `${COPYRIGHT_FILE}: expected a "Files: *" stanza with Zalando's copyright and an Expat licence text.`,
    );
  }
  // DEP-5 continuation lines start with one space; a lone "." is an empty line.
  const body = licenseStanza
    .split('\n')
    .filter((line) => line.startsWith(' '))
    .map((line) => (line.trim() === '.' ? '' : line.slice(1).trimEnd()))
    .join('\n');
  // Debian's file says "https:tech.zalando.com"; upstream's README has "https://tech.zalando.com".
  const holder = copyright.replace(/https?:(?!\/\/)/, (scheme) => `${scheme}//`);
  return `The MIT License (MIT)\n\nCopyright (c) ${holder}\n\n${body}\n`;
}

/**
 * Compares two folders by relative path and content; null when identical.
 * @param {string} before
 * @param {string} after
 * @returns {Promise<{ added: string[], removed: string[], changed: string[] } | null>}
 */
async function diffTrees(before, after) {
  const oldFiles = existsSync(before) ? await listFiles(before) : [];
  const newFiles = await listFiles(after);
  const oldSet = new Set(oldFiles);
  const newSet = new Set(newFiles);
  const added = newFiles.filter((f) => !oldSet.has(f));
  const removed = oldFiles.filter((f) => !newSet.has(f));
  const changed = [];
  for (const f of newFiles) {
    if (!oldSet.has(f)) continue;
    const [a, b] = await Promise.all([readFile(join(before, f)), readFile(join(after, f))]);
    if (!a.equals(b)) changed.push(f);
  }
  return added.length || removed.length || changed.length ? { added, removed, changed } : null;
}

/** @param {{ added: string[], removed: string[], changed: string[] }} changes */
function describe(changes) {
  /** @param {string} label @param {string[]} files */
  const line = (label, files) =>
    files.length ? [`  ${label} ${files.length}: ${files.slice(0, 5).join(', ')}${files.length > 5 ? ', …' : ''}`] : [];
  return [
    ...line('added', changes.added),
    ...line('removed', changes.removed),
    ...line('changed', changes.changed),
  ].join('\n');
}

/** @param {string} dir @returns {Promise<string[]>} sorted relative paths, "/"-separated */
async function listFiles(dir) {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true });
  return entries
    .filter((e) => e.isFile())
    .map((e) => relative(dir, join(e.parentPath, e.name)).split(sep).join('/'))
    .sort();
}

/** @param {string} dir */
async function treeSize(dir) {
  let total = 0;
  for (const f of await listFiles(dir)) total += (await stat(join(dir, f))).size;
  return total;
}

/** @param {number} bytes */
function kb(bytes) {
  return `${(bytes / 1024).toFixed(1)} KB`;
}
