import { execFileSync } from 'node:child_process';
import { chmod, copyFile, mkdir, rm, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LabError } from '../../../../main/errors';
import type { ScanProgress, ScanReport } from '../../../../main/dataset/scan/report';
import { scanDataset, scanDatasetImages } from '../../../../main/dataset/scan/scan';
import { put, tempDir } from '../fixtures';
import {
  alphaPng,
  avif,
  bmp,
  cmykJpeg,
  corruptPng,
  cut,
  gif,
  hugePng,
  jpeg,
  png,
  png16,
  rotatedJpeg,
  snapshotTree,
  tiff,
  webp,
} from '../scan-fixtures';

const HTML_CLASS = '<img src=x onerror=alert(1)>';
const UNICODE_CLASS = 'café au lait 🐱';
const isRoot = process.getuid?.() === 0;

let work: string;
let root: string;
let outside: string;

/** A messy dataset in the `folders` layout with one of everything. */
async function buildMessyDataset(dir: string): Promise<void> {
  const catA = await jpeg(40, 30);
  // Root: non-images are ignored, a stray image is a problem, hidden and system things ignored.
  await put(join(dir, 'README.md'), '# my dataset\n');
  await put(join(dir, 'labels.csv'), 'path,label\n');
  await put(join(dir, '.DS_Store'), 'x');
  await put(join(dir, '._README.md'), 'x');
  await put(join(dir, '__MACOSX/cat/._a.jpg'), await jpeg());
  await put(join(dir, '.hidden/cat/a.jpg'), await jpeg());
  await put(join(dir, 'stray.png'), await png());

  // cat: good images of every kind, and one of every problem.
  await put(join(dir, 'cat/a.jpg'), catA);
  await put(join(dir, 'cat/a-again.jpg'), catA); // duplicate within the class
  await put(join(dir, 'cat/png-named.jpg'), await png(10, 10)); // wrong extension: fine
  await put(join(dir, 'cat/UPPER.JPG'), await jpeg(20, 20));
  await put(join(dir, 'cat/nested/deeper/c.webp'), await webp(16, 16));
  await put(join(dir, 'cat/cmyk.jpg'), await cmykJpeg());
  await put(join(dir, 'cat/rotated.jpg'), await rotatedJpeg()); // stored 12×6, shown 6×12
  await put(join(dir, 'cat/truncated.jpg'), cut(await jpeg(64, 48)));
  await put(join(dir, 'cat/truncated.png'), cut(await png(64, 48)));
  await put(join(dir, 'cat/empty.jpg'), '');
  await put(join(dir, 'cat/garbage.jpg'), Buffer.from('this is not a jpeg at all, only text pretending'));
  await put(join(dir, 'cat/notes.txt'), 'a note inside a class folder\n');
  await put(join(dir, 'cat/old.bmp'), bmp());
  await put(join(dir, 'cat/huge.png'), hugePng(30000, 30000));
  await put(join(dir, 'cat/damaged.png'), await corruptPng());
  await put(join(dir, 'cat/Thumbs.db'), 'x');
  await put(join(dir, 'cat/.DS_Store'), 'x');
  await put(join(dir, 'cat/._a.jpg'), 'x');

  // dog: the other formats and pixel types.
  await put(join(dir, 'dog/deep.png'), await png16());
  await put(join(dir, 'dog/alpha.png'), await alphaPng());
  await put(join(dir, 'dog/anim.gif'), await gif(9, 9));
  await put(join(dir, 'dog/scan.tif'), await tiff(30, 40));
  await put(join(dir, 'dog/photo.avif'), await avif(8, 8));
  await put(join(dir, 'dog/same-as-cat-a.jpg'), catA); // duplicate across classes
  await put(
    join(dir, 'dog/vector.svg'),
    '<?xml version="1.0"?>\n<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"><rect width="5" height="5"/></svg>\n',
  );

  await put(join(dir, UNICODE_CLASS, 'ünï côdé 图片.png'), await png(5, 5));
  await put(join(dir, UNICODE_CLASS, 'deux.png'), await png(6, 6));
  await put(join(dir, HTML_CLASS, 'only.png'), await png(7, 7)); // single-image class
  await mkdir(join(dir, 'empty'), { recursive: true }); // empty class

  // linked: every symbolic-link case.
  await put(join(dir, 'linked/real.png'), await png(8, 8));
  await symlink('.', join(dir, 'linked/loop'));
  await symlink('..', join(dir, 'linked/up'));
  await symlink('missing.jpg', join(dir, 'linked/dangling.jpg'));
  await symlink(outside, join(dir, 'linked/escape'));
  await symlink(join(outside, 'secret.png'), join(dir, 'linked/escape.png'));
  await symlink('../dog/alpha.png', join(dir, 'linked/inside.png'));
  await symlink('../.hidden/cat', join(dir, 'linked/from-hidden'));
}

beforeAll(async () => {
  work = await tempDir('scan');
  outside = join(work, 'outside');
  await put(join(outside, 'secret.png'), await png());
  root = join(work, 'messy');
  await buildMessyDataset(root);
});

afterAll(async () => {
  await rm(work, { recursive: true, force: true });
});

const reasonOf = (report: ScanReport, path: string): string | undefined =>
  report.problems.find((p) => p.path === path)?.reason;
const classOf = (report: ScanReport, name: string) => report.classes.find((c) => c.name === name);

describe('scanDataset: the folders layout with one of everything', () => {
  let report: ScanReport;
  let before: Awaited<ReturnType<typeof snapshotTree>>;

  beforeAll(async () => {
    before = await snapshotTree(root);
    report = await scanDataset(root, { validate: 'full' });
  });

  it('never touches the dataset: the tree is byte-identical afterwards, modes and mtimes included', async () => {
    expect(await snapshotTree(root)).toEqual(before);
  });

  it('finds the classes, sorted by code point, with their usable images', () => {
    expect(report.layout).toBe('folders');
    expect(report.root).toBe(root);
    expect(report.classes.map((c) => c.name)).toEqual([HTML_CLASS, UNICODE_CLASS, 'cat', 'dog', 'empty', 'linked']);
    expect(Object.fromEntries(report.classes.map((c) => [c.name, c.images]))).toEqual({
      [HTML_CLASS]: 1,
      cat: 7, // a, a-again, png-named, UPPER, nested/deeper/c.webp, cmyk, rotated
      [UNICODE_CLASS]: 2,
      dog: 7,
      empty: 0,
      linked: 3, // real.png, inside.png, from-hidden/a.jpg
    });
    expect(report.images).toBe(20);
    expect(report.formats).toEqual({ AVIF: 1, GIF: 1, JPEG: 7, PNG: 8, SVG: 1, TIFF: 1, WebP: 1 });
  });

  it('reports each problem with its path and a reason in words', () => {
    expect(reasonOf(report, 'cat/truncated.jpg')).toBe('truncated JPEG');
    expect(reasonOf(report, 'cat/truncated.png')).toBe('truncated PNG');
    expect(reasonOf(report, 'cat/empty.jpg')).toBe('empty file');
    expect(reasonOf(report, 'cat/garbage.jpg')).toBe('not an image');
    // An image extension makes a file that is no image a problem; a notes.txt is ignored instead.
    expect(reasonOf(report, 'cat/notes.txt')).toBeUndefined();
    expect(reasonOf(report, 'cat/old.bmp')).toBe('unsupported format (BMP)');
    expect(reasonOf(report, 'cat/huge.png')).toBe('image too large: 30000×30000 exceeds the 268-megapixel limit');
    expect(reasonOf(report, 'cat/damaged.png')).toMatch(/^damaged PNG \(.+\)$/);
    expect(reasonOf(report, 'stray.png')).toBe('image outside the class folders: move it into its class folder');
    expect(reasonOf(report, 'linked/loop')).toBe('symbolic link loop');
    expect(reasonOf(report, 'linked/up')).toBe('symbolic link loop');
    expect(reasonOf(report, 'linked/dangling.jpg')).toBe('broken symbolic link');
    expect(reasonOf(report, 'linked/escape')).toBe('symbolic link leaves the dataset folder');
    expect(reasonOf(report, 'linked/escape.png')).toBe('symbolic link leaves the dataset folder');
    expect(report.problems).toHaveLength(13);
    const paths = report.problems.map((p) => p.path);
    expect(paths).toEqual([...paths].sort());
  });

  it('ignores, counts and lists hidden and system files, and files that are not images by name or content', () => {
    // .DS_Store, ._README.md, __MACOSX, .hidden, README.md, labels.csv, cat/{Thumbs.db,.DS_Store,._a.jpg,notes.txt}
    expect(report.ignored).toBe(10);
    expect(report.ignoredFiles).toEqual([
      { path: '.DS_Store', reason: 'hidden or system file' },
      { path: '._README.md', reason: 'hidden or system file' },
      { path: '.hidden/', reason: 'hidden or system file' },
      { path: 'README.md', reason: 'not an image, outside the class folders' },
      { path: '__MACOSX/', reason: 'hidden or system file' },
      { path: 'cat/.DS_Store', reason: 'hidden or system file' },
      { path: 'cat/._a.jpg', reason: 'hidden or system file' },
      { path: 'cat/Thumbs.db', reason: 'hidden or system file' },
      { path: 'cat/notes.txt', reason: 'not an image file' },
      { path: 'labels.csv', reason: 'not an image, outside the class folders' },
    ]);
    expect(report.problems.some((p) => /README|labels\.csv|MACOSX|hidden|Thumbs|DS_Store/.test(p.path))).toBe(false);
  });

  it('warns about the empty class, the single-image class, imbalance and duplicates', () => {
    expect(report.warnings).toContain('Class "empty" has no usable images.');
    expect(report.warnings).toContain(
      `Class "${HTML_CLASS}" has only 1 usable image: it cannot be split into training and validation.`,
    );
    expect(report.warnings.find((w) => w.startsWith('Classes are imbalanced'))).toMatch(
      /"cat" has 7 images, "<img src=x onerror=alert\(1\)>" only 1 \(7\.0×\)/,
    );
    expect(report.warnings).toContain(
      '1 file is an exact copy of another image in the same class (1 group), e.g. cat/a-again.jpg = cat/a.jpg.',
    );
    expect(report.warnings).toContain(
      '2 images have exact copies in more than one class (the same picture with different labels), e.g. cat/a-again.jpg = dog/same-as-cat-a.jpg; dog/alpha.png = linked/inside.png.',
    );
  });

  it('returns the duplicate groups, within and across classes', () => {
    expect(report.duplicates).toEqual([
      {
        paths: ['cat/a-again.jpg', 'cat/a.jpg', 'dog/same-as-cat-a.jpg'],
        classes: ['cat', 'dog'],
        bytes: expect.any(Number),
      },
      { paths: ['dog/alpha.png', 'linked/inside.png'], classes: ['dog', 'linked'], bytes: expect.any(Number) },
    ]);
  });

  it('records sizes after EXIF orientation, ordered by pixel area', async () => {
    const { images } = await scanDatasetImages(root, { validate: 'headers' });
    const size = (rel: string) => {
      const image = images.find((i) => i.rel === rel)!;
      return { width: image.width, height: image.height };
    };
    expect(size('cat/rotated.jpg')).toEqual({ width: 6, height: 12 });
    expect(size('dog/scan.tif')).toEqual({ width: 30, height: 40 });
    expect(report.sizes).toEqual({
      min: { width: 5, height: 5 },
      median: { width: 8, height: 8 },
      max: { width: 40, height: 30 },
    });
  });

  it('gives every usable image with its absolute path, label and content facts', async () => {
    const { images, classNames } = await scanDatasetImages(root, { validate: 'full' });
    expect(classNames).toEqual(report.classes.map((c) => c.name));
    const rotated = images.find((i) => i.rel === 'cat/rotated.jpg')!;
    expect(rotated).toMatchObject({
      path: join(root, 'cat', 'rotated.jpg'),
      className: 'cat',
      label: 2,
      format: 'jpeg',
      width: 6,
      height: 12,
    });
    expect(rotated.hash).toMatch(/^[0-9a-f]{64}$/);
    expect(images.find((i) => i.rel === 'linked/inside.png')!.path).toBe(join(root, 'linked', 'inside.png'));
    expect(images.every((i) => i.split === undefined)).toBe(true);
  });

  it('headers mode misses only what needs a decode; the fingerprint follows the usable images', async () => {
    const fast = await scanDataset(root, { validate: 'headers' });
    expect(fast.validation).toBe('headers');
    expect(reasonOf(fast, 'cat/damaged.png')).toBeUndefined(); // its header is fine
    expect(reasonOf(fast, 'cat/truncated.jpg')).toBe('truncated JPEG'); // structure shows it
    expect(classOf(fast, 'cat')!.images).toBe(8);
    expect(fast.fingerprint).not.toBe(report.fingerprint);
    expect((await scanDataset(root, { validate: 'full' })).fingerprint).toBe(report.fingerprint);
  });
});

describe('scanDataset: the splits layout', () => {
  let dir: string;
  let report: ScanReport;

  beforeAll(async () => {
    dir = join(work, 'splits');
    const shared = await png(9, 9);
    for (const [split, classes] of [
      ['train', ['cat', 'dog', 'horse']],
      ['Validation', ['cat', 'dog']],
      ['test', ['cat', 'dog', 'zebra']],
    ] as const) {
      for (const name of classes) {
        await put(join(dir, split, name, 'one.png'), await png(4, 4));
        if (split === 'train') await put(join(dir, split, name, 'sub', 'two.png'), await png(5, 5));
      }
    }
    await put(join(dir, 'train/cat/leak.png'), shared);
    await put(join(dir, 'Validation/cat/leak.png'), shared);
    await put(join(dir, 'extra/cat/x.png'), await png());
    await put(join(dir, 'train/stray.png'), await png());
    await put(join(dir, 'train/notes.txt'), 'x');
    report = await scanDataset(dir);
  });

  it('uses the given splits and counts each class per split', () => {
    expect(report.layout).toBe('splits');
    expect(report.classes).toEqual([
      { name: 'cat', images: 6, train: 3, val: 2, test: 1 },
      { name: 'dog', images: 4, train: 2, val: 1, test: 1 },
      { name: 'horse', images: 2, train: 2, val: 0, test: 0 },
      { name: 'zebra', images: 1, train: 0, val: 0, test: 1 },
    ]);
  });

  it('names the split and the class of every mismatch', () => {
    expect(report.warnings).toContain('Split "val" has no folder for class "horse" (train has one).');
    expect(report.warnings).toContain('Split "test" has no folder for class "horse" (train has one).');
    expect(report.warnings).toContain('Split "train" has no folder for class "zebra" (test has one).');
    expect(report.warnings).toContain('Split "val" has no folder for class "zebra" (test has one).');
    expect(report.warnings).toContain(
      '1 image has exact copies in more than one split, so validation or test scores will look better than they are, e.g. Validation/cat/leak.png = train/cat/leak.png.',
    );
    expect(report.warnings.some((w) => w.includes('same class'))).toBe(false);
  });

  it('reports folders that are not splits and images outside class folders; ignores other files', () => {
    expect(reasonOf(report, 'extra')).toBe('not a split folder (train, val, validation, test): not used');
    expect(reasonOf(report, 'train/stray.png')).toBe('image outside the class folders: move it into its class folder');
    expect(report.ignored).toBe(1);
  });
});

describe('scanDataset: errors, progress and cancellation', () => {
  it('fails with a clear LabError when the root is missing, a file, or has no class folders', async () => {
    await expect(scanDataset(join(work, 'nope'))).rejects.toMatchObject({
      code: 'DATASET_NOT_FOUND',
      message: `The dataset folder ${join(work, 'nope')} does not exist: check the path.`,
    });
    await expect(scanDataset(join(root, 'README.md'))).rejects.toMatchObject({ code: 'DATASET_NOT_A_FOLDER' });
    const flat = join(work, 'flat');
    await put(join(flat, 'a.png'), await png());
    await put(join(flat, '.git/HEAD'), 'ref');
    await expect(scanDataset(flat)).rejects.toMatchObject({
      code: 'DATASET_NO_CLASSES',
      message: `${flat} has no class folders: put each class's images in its own sub-folder.`,
    });
  });

  it('reports progress for both phases, throttled to about 10 a second, ending at done = total', async () => {
    const events: ScanProgress[] = [];
    const started = performance.now();
    await scanDataset(root, { validate: 'headers', onProgress: (p) => events.push({ ...p }) });
    const seconds = (performance.now() - started) / 1000;
    expect(events[0]!.phase).toBe('listing');
    const last = events[events.length - 1]!;
    expect(last).toMatchObject({ phase: 'reading', images: 21, problems: 12 });
    expect(last.done).toBe(last.total);
    expect(events.length).toBeLessThanOrEqual(3 + Math.ceil(seconds * 10));
  });

  it('an aborted signal rejects promptly with CANCELLED and stops reading', async () => {
    const many = join(work, 'many');
    const bytes = await png(4, 4);
    for (let i = 0; i < 120; i++) await put(join(many, `c${i % 2}`, `${i}.png`), bytes);
    const before = new AbortController();
    before.abort();
    await expect(scanDataset(many, { signal: before.signal })).rejects.toMatchObject({ code: 'CANCELLED' });

    const controller = new AbortController();
    const seen: ScanProgress[] = [];
    const scan = scanDataset(many, {
      concurrency: 1,
      signal: controller.signal,
      onProgress: (p) => {
        seen.push(p);
        if (p.phase === 'reading') controller.abort();
      },
    });
    const error = await scan.catch((e: unknown) => e);
    expect(error).toBeInstanceOf(LabError);
    expect((error as LabError).code).toBe('CANCELLED');
    expect(seen.filter((p) => p.phase === 'reading')).toHaveLength(1);
  });

  it.skipIf(process.platform === 'win32')(
    'never hangs on a FIFO or crashes on a file name that is not UTF-8',
    async () => {
      const dir = join(work, 'odd');
      await put(join(dir, 'cat/ok.png'), await png());
      execFileSync('mkfifo', [join(dir, 'cat/pipe.jpg')]);
      await symlink('pipe.jpg', join(dir, 'cat/pipe-link.jpg'));
      await writeFile(
        Buffer.concat([Buffer.from(join(dir, 'cat/')), Buffer.from([0xff, 0x41]), Buffer.from('.png')]),
        await png(),
      );
      const report = await scanDataset(dir);
      expect(report.problems).toEqual([
        { path: 'cat/pipe-link.jpg', reason: 'not a regular file' },
        { path: 'cat/pipe.jpg', reason: 'not a regular file' },
        { path: 'cat/\uFFFDA.png', reason: 'unreadable: its name is not valid UTF-8 (rename it)' },
      ]);
      expect(report.images).toBe(1);
    },
  );

  it('a folder linked twice is listed once; a link to the root is a loop', async () => {
    const dir = join(work, 'aliases');
    await put(join(dir, 'cat/a.png'), await png());
    await put(join(dir, 'dog/b.png'), await png());
    await symlink('../cat', join(dir, 'dog/cats'));
    await symlink('..', join(dir, 'dog/root'));
    const report = await scanDataset(dir, { validate: 'headers' });
    expect(reasonOf(report, 'dog/cats')).toBe('symbolic link to a folder already scanned (cat)');
    expect(reasonOf(report, 'dog/root')).toBe('symbolic link loop');
    expect(report.images).toBe(2);
  });

  it.skipIf(isRoot)(
    'an unreadable file or folder is "unreadable: permission denied" (skipped as root, who can read everything)',
    async () => {
      const dir = join(work, 'locked');
      await put(join(dir, 'cat/ok.png'), await png());
      const file = await put(join(dir, 'cat/locked.png'), await png());
      await put(join(dir, 'dog/locked-folder/x.png'), await png());
      await chmod(file, 0o000);
      await chmod(join(dir, 'dog/locked-folder'), 0o000);
      try {
        const report = await scanDataset(dir);
        expect(reasonOf(report, 'cat/locked.png')).toBe('unreadable: permission denied');
        expect(reasonOf(report, 'dog/locked-folder')).toBe('unreadable: permission denied');
        expect(report.images).toBe(1);
      } finally {
        await chmod(file, 0o644);
        await chmod(join(dir, 'dog/locked-folder'), 0o755);
      }
    },
  );

  it('a copy of the dataset elsewhere has the same fingerprint; changing one byte changes it', async () => {
    const a = join(work, 'fp-a');
    const b = join(work, 'fp-b');
    const bytes = await png(6, 6);
    await put(join(a, 'x/1.png'), bytes);
    await put(join(a, 'y/2.png'), await png(6, 6));
    await mkdir(join(b, 'x'), { recursive: true });
    await mkdir(join(b, 'y'), { recursive: true });
    await copyFile(join(a, 'x/1.png'), join(b, 'x/1.png'));
    await copyFile(join(a, 'y/2.png'), join(b, 'y/2.png'));
    await writeFile(join(b, 'README.txt'), 'ignored files do not count');
    const [ra, rb] = [await scanDataset(a), await scanDataset(b)];
    expect(rb.fingerprint).toBe(ra.fingerprint);
    const changed = Buffer.from(bytes);
    changed[changed.length - 20]! ^= 1;
    await writeFile(join(b, 'x/1.png'), changed);
    expect((await scanDataset(b, { validate: 'headers' })).fingerprint).not.toBe(ra.fingerprint);
  });
});
