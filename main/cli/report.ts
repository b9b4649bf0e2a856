import { extname, resolve } from 'node:path';
import { Command, Option } from 'commander';
import type { CompareBasis, ReportFormat, ReportRequest } from '../contract';
import { createLab } from '../lab';
import { exportsDir } from '../fs/export-files';
import { createReportService } from '../reports/report-service';
import { createRunStore } from '../runs/run-store';
import { printable } from './scan';
import { printJson, type CliIo } from './io';

export const reportFormats = ['html', 'pdf', 'md', 'csv'] as const satisfies readonly ReportFormat[];

/** The format an `--out` file's extension asks for (`.htm` and `.markdown` too), if any. */
export function formatOfFile(file: string): ReportFormat | undefined {
  const ext = extname(file).toLowerCase();
  if (ext === '.htm' || ext === '.html') return 'html';
  if (ext === '.md' || ext === '.markdown') return 'md';
  if (ext === '.pdf') return 'pdf';
  if (ext === '.csv') return 'csv';
  return undefined;
}

interface ReportOptions {
  format?: ReportFormat;
  out?: string;
  title?: string;
  author?: string;
  notes?: string;
  baseline?: string;
  basis: CompareBasis;
  json?: boolean;
}

/**
 * `xlab report RUN_ID... [--format html|pdf|md|csv] [--out FILE] [--title TEXT] [--author TEXT]`:
 * the comparison report of runs. Without `--out` it goes into the data folder's `exports/` (where
 * the app exports too) under a new name (`Title.html`, `Title (2).html`, …); `--out` writes exactly that file and refuses to
 * replace one. The paths written are printed on stdout; warnings go to stderr.
 */
export function reportCommand(io: CliIo, dataDirOf: (cmd: Command) => string): Command {
  return new Command('report')
    .description(
      'write a report comparing runs: table, curves, config differences, evaluations (HTML, PDF, Markdown or CSV)',
    )
    .argument('<run-ids...>', 'the runs to compare, in table order (see "xlab runs")')
    .addOption(
      new Option(
        '--format <format>',
        'html (one self-contained file), pdf (needs Chromium or Chrome), md (with PNG charts), csv (epochs + summary); default: from --out, else html',
      ).choices(reportFormats),
    )
    .option(
      '--out <file>',
      'the file to write (never replaced; default: a new file named after the title in the exports folder of the data folder)',
    )
    .option('--title <text>', 'the report title (default: "Xception Lab report")')
    .option('--author <text>', 'the author shown under the title')
    .option('--notes <text>', "notes for the report's Notes section")
    .addOption(
      new Option(
        '--basis <basis>',
        "the table's metrics: each run's final epoch or its best (by the run's monitor: lowest val_loss unless chosen)",
      )
        .choices(['final', 'best'])
        .default('final'),
    )
    .option(
      '--baseline <run-id>',
      'a pinned baseline (see "xlab baseline list"): adds an "Against the baseline" section',
    )
    .option('--json', 'print { "files": [...] } on stdout')
    .action(async (runIds: string[], opts: ReportOptions, cmd: Command) => {
      const dataDir = dataDirOf(cmd);
      const format: ReportFormat =
        opts.format ?? (opts.out !== undefined ? formatOfFile(opts.out) : undefined) ?? 'html';
      const request: ReportRequest = {
        runIds,
        basis: opts.basis,
        ...(opts.title !== undefined ? { title: opts.title } : {}),
        ...(opts.author !== undefined ? { author: opts.author } : {}),
        ...(opts.notes !== undefined ? { notes: opts.notes } : {}),
        ...(opts.baseline !== undefined ? { baseline: opts.baseline } : {}),
      };
      // The engine only serves the app info and stored evaluations here: its worker never starts.
      const lab = await createLab({ dataDir, env: io.env, workerUrl: io.workerUrl, lazyEngine: true });
      try {
        const reports = createReportService({
          dataDir,
          runs: createRunStore(dataDir),
          evaluations: (runId) => lab.getEvaluations(runId),
          appInfo: () => lab.getAppInfo(),
          baselines: () => lab.listBaselines(),
          env: io.env,
        });
        const comparison = await reports.compare(runIds, opts.basis);
        for (const problem of comparison.problems) io.stderr(`Warning: ${printable(problem)}\n`);
        for (const warning of comparison.warnings) io.stderr(`Warning: ${printable(warning)}\n`);
        const exported =
          opts.out !== undefined
            ? await reports.exportTo(request, format, resolve(opts.out))
            : await reports.export(request, format, exportsDir(dataDir));
        if (opts.json) return printJson(io, exported);
        io.stderr(
          `Wrote the ${format === 'md' ? 'Markdown' : format.toUpperCase()} report of ${comparison.rows.length} run${comparison.rows.length === 1 ? '' : 's'}:\n`,
        );
        io.stdout(`${exported.files.map(printable).join('\n')}\n`);
      } finally {
        await lab.close();
      }
    });
}
