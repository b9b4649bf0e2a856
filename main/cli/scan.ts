import { Command, Option } from 'commander';
import type { ScanProgress, ScanReport, ScanValidation } from '../dataset/scan/report';
import { scanDataset } from '../dataset/scan/scan';
import { printJson, type CliIo } from './io';

/** Paths listed per problem reason in the human output (all of them are in `--json`). */
const PATHS_PER_REASON = 10;
/** The CLI prints progress at most this often, and only once a scan has run this long. */
const PROGRESS_EVERY_MS = 1000;

const count = (n: number): string => n.toLocaleString('en-US');
const plural = (n: number, one: string, many = `${one}s`): string => `${count(n)} ${n === 1 ? one : many}`;

/** A file or class name made safe for a terminal: control characters (ESC, newlines) escaped. */
export function printable(text: string): string {
  return text.replace(/[\u0000-\u001f\u007f-\u009f]/g, (c) => `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`);
}

/** The health report as a table of classes, problems grouped by reason, and warnings. */
export function formatScanReport(report: ScanReport): string {
  const splitColumns = (['train', 'val', 'test'] as const).filter((split) =>
    report.classes.some((c) => c[split] !== undefined),
  );
  const header = ['Class', ...splitColumns.map((s) => s[0]!.toUpperCase() + s.slice(1)), 'Images'];
  const rows = report.classes.map((c) => [
    printable(c.name),
    ...splitColumns.map((s) => count(c[s] ?? 0)),
    count(c.images),
  ]);
  const totals = [
    'Total',
    ...splitColumns.map((s) => count(report.classes.reduce((n, c) => n + (c[s] ?? 0), 0))),
    count(report.images),
  ];
  const all = [header, ...rows, totals];
  const widths = header.map((_, i) => Math.max(...all.map((row) => row[i]!.length)));
  const line = (row: string[]): string =>
    row.map((cell, i) => (i === 0 ? cell.padEnd(widths[i]!) : cell.padStart(widths[i]!))).join('  ');
  const rule = '─'.repeat(widths.reduce((n, w) => n + w, 0) + 2 * (widths.length - 1));
  const size = (s: { width: number; height: number }): string => `${s.width}×${s.height}`;

  const out = [
    `Dataset ${printable(report.root)}`,
    `${plural(report.images, 'usable image')} in ${plural(report.classes.length, 'class', 'classes')} (${report.layout === 'splits' ? 'train/val/test folders' : 'one folder per class'}; ${report.validation === 'full' ? 'every image decoded' : 'headers checked, images not decoded'})`,
    `${plural(report.problems.length, 'problem')}, ${plural(report.ignored, 'ignored file')} (hidden, system or not images${report.ignored > 0 ? '; listed with --json' : ''})`,
  ];
  const formats = Object.entries(report.formats);
  if (formats.length > 0) out.push(`Formats: ${formats.map(([name, n]) => `${name} ${count(n)}`).join(', ')}`);
  if (report.sizes)
    out.push(
      `Sizes (by pixel area): smallest ${size(report.sizes.min)}, median ${size(report.sizes.median)}, largest ${size(report.sizes.max)}`,
    );
  out.push('', line(header), rule, ...rows.map(line), rule, line(totals));

  if (report.problems.length > 0) {
    const byReason = new Map<string, string[]>();
    for (const { path, reason } of report.problems) byReason.set(reason, [...(byReason.get(reason) ?? []), path]);
    out.push('', `Problems (not used for training):`);
    for (const [reason, paths] of [...byReason].sort((a, b) => b[1].length - a[1].length)) {
      out.push(`  ${printable(reason)} (${count(paths.length)})`);
      for (const path of paths.slice(0, PATHS_PER_REASON)) out.push(`    ${printable(path)}`);
      if (paths.length > PATHS_PER_REASON)
        out.push(`    … and ${count(paths.length - PATHS_PER_REASON)} more (all of them with --json)`);
    }
  }
  if (report.warnings.length > 0) {
    out.push('', 'Warnings:');
    for (const warning of report.warnings) out.push(`  - ${printable(warning)}`);
  }
  out.push('', `Fingerprint: ${report.fingerprint}`, '');
  return out.join('\n');
}

function progressLine(p: ScanProgress): string {
  return p.phase === 'listing'
    ? `scan: listing folders (${count(p.done)} of ${count(p.total)} found so far)\n`
    : `scan: reading files ${count(p.done)} / ${count(p.total)} (${plural(p.images, 'usable image')}, ${plural(p.problems, 'problem')})\n`;
}

/** `xlab scan DIR [--json] [--validate headers|full]`: the dataset's health report. Exit 0 even with problems. */
export function scanCommand(io: CliIo): Command {
  return new Command('scan')
    .description('check a dataset folder: classes, usable images, problems and warnings (read-only)')
    .argument('<dir>', 'the dataset folder: one sub-folder per class, or train/ val/ test/ folders of class folders')
    .option('--json', 'print the report as JSON on stdout (progress goes to stderr)')
    .addOption(
      new Option('--validate <mode>', 'full: decode every image; headers: formats and sizes only (faster)')
        .choices(['full', 'headers'])
        .default('full'),
    )
    .action(async (dir: string, opts: { json?: boolean; validate: ScanValidation }) => {
      const started = performance.now();
      let lastPrinted = started;
      const report = await scanDataset(dir, {
        validate: opts.validate,
        onProgress: (progress) => {
          const now = performance.now();
          if (now - lastPrinted < PROGRESS_EVERY_MS) return;
          lastPrinted = now;
          io.stderr(progressLine(progress));
        },
      });
      if (opts.json) printJson(io, report);
      else io.stdout(formatScanReport(report));
    });
}
