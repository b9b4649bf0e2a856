import { isAbsolute, join, relative, resolve } from 'node:path';
import { Command, Option } from 'commander';
import type { CheckpointKind, PredictionResult } from '../contract';
import { createLab } from '../lab';
import { LabError } from '../errors';
import { printJson, type CliIo } from './io';
import { printable } from './scan';

/** `xlab predict --json`: the file and its top classes, or why it could not be predicted (no thumbnails). */
export type PredictJsonEntry =
  { file: string; top: { label: string; prob: number }[] } | { file: string; error: string };

export function predictJson(results: readonly PredictionResult[]): PredictJsonEntry[] {
  return results.map((r) =>
    r.top ? { file: r.file, top: r.top } : { file: r.file, error: r.error ?? 'not predicted' },
  );
}

export function formatPredictions(results: readonly PredictionResult[]): string {
  const out: string[] = [];
  for (const r of results) {
    if (!r.top) {
      out.push(`${printable(r.file)}: ${printable(r.error ?? 'not predicted')}`);
      continue;
    }
    out.push(printable(r.file));
    const width = Math.max(...r.top.map((t) => printable(t.label).length));
    for (const t of r.top) out.push(`  ${printable(t.label).padEnd(width)}  ${(t.prob * 100).toFixed(1).padStart(5)}%`);
  }
  out.push('');
  return out.join('\n');
}

/**
 * A result's file as the user wrote it: the engine answers with absolute paths, the user may
 * have typed `photos/cat.jpg` or a folder `photos` (whose images are `photos/…`).
 */
export function asGiven(file: string, args: readonly string[], cwd: string): string {
  for (const arg of args) {
    const rel = relative(resolve(cwd, arg), file);
    if (rel === '') return arg;
    if (!rel.startsWith('..') && !isAbsolute(rel)) return join(arg, rel);
  }
  return file;
}

/**
 * `xlab predict RUN_ID IMAGE... [--checkpoint best|last] [--json]`: top-5 classes per image;
 * folders expand to their images. Exit 1 only when no file at all could be predicted.
 */
export function predictCommand(io: CliIo, dataDirOf: (cmd: Command) => string): Command {
  return new Command('predict')
    .description("classify images with a run's model: top-5 classes per image (folders expand to their images)")
    .argument('<run-id>', 'the run whose model predicts (see "xlab runs")')
    .argument('<images...>', 'image files or folders')
    .addOption(
      new Option('--checkpoint <kind>', "the best epoch's weights or the last epoch's")
        .choices(['best', 'last'])
        .default('best'),
    )
    .option('--json', 'print [{ "file", "top": [{ "label", "prob" }] }] (or { "file", "error" }) on stdout')
    .action(
      async (runId: string, images: string[], opts: { checkpoint: CheckpointKind; json?: boolean }, cmd: Command) => {
        const lab = await createLab({ dataDir: dataDirOf(cmd), env: io.env, workerUrl: io.workerUrl });
        let results: PredictionResult[];
        try {
          results = await lab.predictImages(
            runId,
            images.map((image) => ({ path: resolve(image) })),
            opts.checkpoint,
          );
        } finally {
          await lab.close();
        }
        results = results.map((r) => ({ ...r, file: asGiven(r.file, images, process.cwd()) }));
        if (opts.json) printJson(io, predictJson(results));
        else io.stdout(formatPredictions(results));
        if (!results.some((r) => r.top)) {
          throw new LabError(
            'NOTHING_PREDICTED',
            `None of the ${results.length === 1 ? 'file' : `${results.length} files`} could be predicted: give image files (JPEG, PNG, WebP, GIF, TIFF, AVIF, SVG) or folders of them.`,
          );
        }
      },
    );
}
