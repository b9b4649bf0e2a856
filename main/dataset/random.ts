/**
 * Seeded randomness for splits, shuffles and augmentation.
 *
 * The generator is mulberry32 (Tommy Ettinger, public domain): 32 bits of state, one multiply
 * chain per number, passes PractRand to a few GB — plenty for shuffling and augmentation, and
 * tiny enough to own. tfjs bundles seedrandom, but only behind `tf.data` shuffle; the split
 * must not depend on tfjs at all, and one generator everywhere means one thing to reason about.
 *
 * Seeds are derived from labelled parts (`seedFrom('split', fingerprint, seed, className)`) by
 * hashing, so each stream (a class's split, an epoch's order, one image's augmentation) is
 * independent of how many numbers any other stream drew, and of concurrency.
 */
import { createHash } from 'node:crypto';

/** A seeded source of uniform numbers in [0, 1). */
export type Random = () => number;

/** mulberry32: a 32-bit seeded PRNG returning numbers in [0, 1). */
export function mulberry32(seed: number): Random {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** A 32-bit seed from any parts: the first 4 bytes of SHA-256 over their JSON text. */
export function seedFrom(...parts: (string | number)[]): number {
  return createHash('sha256').update(JSON.stringify(parts)).digest().readUInt32LE(0);
}

/** A generator seeded from labelled parts, e.g. `randomFrom('epoch', seed, epoch)`. */
export function randomFrom(...parts: (string | number)[]): Random {
  return mulberry32(seedFrom(...parts));
}

/** Shuffles `items` in place (Fisher–Yates, Durstenfeld's version) and returns it. */
export function shuffleInPlace<T>(items: T[], random: Random): T[] {
  for (let i = items.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    const tmp = items[i]!;
    items[i] = items[j]!;
    items[j] = tmp;
  }
  return items;
}

/** A uniform number in [min, max). */
export function uniform(random: Random, min: number, max: number): number {
  return min + (max - min) * random();
}

/** A standard normal sample (Box–Muller; one of the pair is dropped for simplicity). */
export function gaussian(random: Random): number {
  const u = 1 - random(); // (0, 1]: log(0) never happens
  const v = random();
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
}
