import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { z } from 'zod';
import type { SampleDataset } from '../contract';

const sampleMetaSchema = z.object({
  id: z.string(),
  name: z.string(),
  description: z.string(),
  license: z.string(),
});

const imageFile = /\.(png|jpe?g|webp|gif|tiff?|avif|bmp)$/i;

/**
 * The datasets bundled under assets/samples/: each folder with a sample.json and one
 * sub-folder per class. Counts come from the files on disk, not from the metadata.
 */
export async function listSamples(samplesDir: string): Promise<SampleDataset[]> {
  let entries;
  try {
    entries = await readdir(samplesDir, { withFileTypes: true });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw error;
  }
  const samples: SampleDataset[] = [];
  for (const entry of entries.filter((e) => e.isDirectory()).sort((a, b) => a.name.localeCompare(b.name))) {
    const path = join(samplesDir, entry.name);
    let meta;
    try {
      meta = sampleMetaSchema.parse(JSON.parse(await readFile(join(path, 'sample.json'), 'utf8')));
    } catch {
      continue; // not a sample folder
    }
    const classes: SampleDataset['classes'] = [];
    const dirs = (await readdir(path, { withFileTypes: true })).filter(
      (e) => e.isDirectory() && !e.name.startsWith('.'),
    );
    for (const dir of dirs.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))) {
      const files = await readdir(join(path, dir.name));
      classes.push({ name: dir.name, images: files.filter((f) => imageFile.test(f)).length });
    }
    samples.push({
      ...meta,
      path,
      classes,
      images: classes.reduce((sum, c) => sum + c.images, 0),
    });
  }
  return samples;
}
