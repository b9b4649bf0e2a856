/** A small dataset a tiny model can learn in seconds: each class is a noisy colour. Made by the tests. */
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import type { LabelledImage } from '../../../main/dataset/labelled-image';
import { mulberry32 } from '../../../main/dataset/random';
import { put } from '../dataset/fixtures';

const colours: [number, number, number][] = [
  [220, 40, 40],
  [40, 200, 60],
  [40, 60, 220],
  [230, 220, 40],
];

export async function learnableDataset(
  options: { classes?: number; perClass?: number; size?: number; seed?: number } = {},
) {
  const { classes = 3, perClass = 12, size = 16, seed = 1 } = options;
  const root = await mkdtemp(join(tmpdir(), 'xlab-learnable-'));
  const random = mulberry32(seed);
  const classNames = colours.slice(0, classes).map((_, i) => `class_${i}`);
  const images: LabelledImage[] = [];
  for (let label = 0; label < classes; label++) {
    for (let i = 0; i < perClass; i++) {
      const pixels = new Uint8Array(size * size * 3);
      const [r, g, b] = colours[label]!;
      for (let p = 0; p < size * size; p++) {
        pixels[p * 3] = Math.max(0, Math.min(255, r + (random() - 0.5) * 80));
        pixels[p * 3 + 1] = Math.max(0, Math.min(255, g + (random() - 0.5) * 80));
        pixels[p * 3 + 2] = Math.max(0, Math.min(255, b + (random() - 0.5) * 80));
      }
      const png = await sharp(pixels, { raw: { width: size, height: size, channels: 3 } })
        .png()
        .toBuffer();
      const path = await put(join(root, classNames[label]!, `${i}.png`), png);
      images.push({ path, label, className: classNames[label]! });
    }
  }
  return { root, classNames, images };
}
