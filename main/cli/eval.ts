import { Command, Option } from 'commander';
import type { CheckpointKind, EvalResult, EvalSplit } from '../contract';
import { createLab } from '../lab';
import { rowNormalised } from '../evaluation/metrics';
import { printJson, type CliIo } from './io';
import { printable } from './scan';
import { noValue } from '../format';

/** The confusion matrix is printed for at most this many classes (all of it is in --json). */
const MATRIX_MAX_CLASSES = 30;
/** Unreadable images listed by name in the human output. */
const SKIPPED_LISTED = 10;

const pct = (v: number | null): string => (v === null ? noValue : `${(v * 100).toFixed(1)}%`);

/** Rows of cells as aligned columns: the first left-aligned, the others right-aligned. */
function table(rows: string[][]): string[] {
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((row) => row[i]!.length)));
  return rows.map((row) =>
    row
      .map((cell, i) => (i === 0 ? cell.padEnd(widths[i]!) : cell.padStart(widths[i]!)))
      .join('  ')
      .trimEnd(),
  );
}

/** An evaluation for a terminal: headline metrics, the per-class table and the confusion matrix. */
export function formatEvaluation(result: EvalResult): string {
  const names = result.classNames.map(printable);
  const out = [
    `Run ${result.runId}: ${result.checkpoint} checkpoint (epoch ${result.epoch + 1}) on the ${result.split === 'val' ? 'validation' : 'test'} images`,
    `${result.images} images${result.skipped.length ? `, ${result.skipped.length} unreadable skipped` : ''}; ${result.engine.name} ${result.engine.version} (${result.engine.device}), ${(result.durationMs / 1000).toFixed(1)} s`,
    '',
    `top-1 ${pct(result.top1)}   top-5 ${pct(result.top5)}   loss ${result.loss.toFixed(4)}`,
    '',
    ...table([
      ['Class', 'Precision', 'Recall', 'F1', 'Support'],
      ...result.perClass.map((c, i) => [names[i]!, pct(c.precision), pct(c.recall), pct(c.f1), String(c.support)]),
      ['macro avg', pct(result.macro.precision), pct(result.macro.recall), pct(result.macro.f1), String(result.images)],
      [
        'weighted avg',
        pct(result.weighted.precision),
        pct(result.weighted.recall),
        pct(result.weighted.f1),
        String(result.images),
      ],
    ]),
    '',
  ];
  if (names.length <= MATRIX_MAX_CLASSES) {
    const short = names.map((name) => (name.length > 10 ? `${name.slice(0, 9)}…` : name));
    const shares = rowNormalised(result.confusion);
    out.push('Confusion matrix (rows: true class, columns: predicted class; image counts):');
    out.push(
      ...table([['', ...short], ...result.confusion.map((row, i) => [names[i]!, ...row.map(String)])]).map(
        (line) => `  ${line}`,
      ),
    );
    out.push('', 'Row-normalised (share of each true class):');
    out.push(
      ...table([
        ['', ...short],
        ...shares.map((row, i) => [names[i]!, ...row.map((v) => `${Math.round(v * 100)}%`)]),
      ]).map((line) => `  ${line}`),
    );
  } else {
    out.push(`Confusion matrix: ${names.length}×${names.length}, too wide for a terminal; it is in --json.`);
  }
  if (result.skipped.length) {
    out.push('', 'Unreadable images (not counted):');
    for (const s of result.skipped.slice(0, SKIPPED_LISTED)) out.push(`  ${printable(s.path)}: ${printable(s.reason)}`);
    if (result.skipped.length > SKIPPED_LISTED)
      out.push(`  … and ${result.skipped.length - SKIPPED_LISTED} more (all of them with --json)`);
  }
  out.push('');
  return out.join('\n');
}

/** `xlab eval RUN_ID [--split val|test] [--checkpoint best|last] [--json]`: evaluates and stores the result in the run's eval.json. */
export function evalCommand(io: CliIo, dataDirOf: (cmd: Command) => string): Command {
  return new Command('eval')
    .description("evaluate a run's checkpoint on its validation or test images (stored in the run's eval.json)")
    .argument('<run-id>', 'the run to evaluate (see "xlab runs")')
    .addOption(
      new Option('--split <split>', 'which images: the validation or the test split')
        .choices(['val', 'test'])
        .default('val'),
    )
    .addOption(
      new Option(
        '--checkpoint <kind>',
        "the best epoch's weights (by the run's monitor: lowest val_loss unless chosen) or the last epoch's",
      )
        .choices(['best', 'last'])
        .default('best'),
    )
    .option('--json', 'print the whole result (with every prediction) as JSON on stdout')
    .action(
      async (runId: string, opts: { split: EvalSplit; checkpoint: CheckpointKind; json?: boolean }, cmd: Command) => {
        const lab = await createLab({ dataDir: dataDirOf(cmd), env: io.env, workerUrl: io.workerUrl });
        try {
          io.stderr(`Evaluating the ${opts.checkpoint} checkpoint of run ${runId} on its ${opts.split} images…\n`);
          const result = await lab.evaluateRun(runId, opts.split, opts.checkpoint);
          if (opts.json) printJson(io, result);
          else io.stdout(formatEvaluation(result));
        } finally {
          await lab.close();
        }
      },
    );
}
