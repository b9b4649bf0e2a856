/**
 * Comparison and reports on the main thread: reads run records, metrics and evaluations and
 * turns them into the comparison table and report files (HTML, PDF, Markdown + PNG, CSV).
 * Files are only ever created, never replaced.
 */
import { mkdir, rm, stat } from 'node:fs/promises';
import { basename, dirname, extname, isAbsolute, join, resolve } from 'node:path';
import type {
  AppInfo,
  BaselineList,
  CompareBasis,
  Comparison,
  DownloadFile,
  EvalResult,
  ExportedFiles,
  ReportFormat,
  ReportRequest,
} from '../contract';
import type { RunStore } from '../runs/run-store';
import { LabError } from '../errors';
import { claimNewFile, claimNewFolder, safeFileName } from '../fs/export-files';
import { writeFileAtomic, writeNewFileAtomic } from '../fs/atomic-write';
import { compareRunData, readRunsForComparison, type RunForComparison } from './compare-runs';
import { createChromiumPrinter, type PdfPrinter } from './pdf-chromium';
import { epochsCsv, summaryCsv } from './report-csv';
import { defaultReportTitle, gatherReportData, type ReportData } from './report-data';
import { renderReportHtml } from './report-html';
import { renderMarkdownReport, svgToPng } from './report-markdown';

export type { PdfPrinter } from './pdf-chromium';

/** Prints self-contained HTML to PDF bytes (Electron's printToPDF in the app, headless Chromium elsewhere). */

export interface ReportServiceOptions {
  dataDir: string;
  runs: RunStore;
  /** A run's stored evaluations; when this fails the report says so and shows none for that run. */
  evaluations: (runId: string) => Promise<EvalResult[]>;
  appInfo: () => Promise<AppInfo>;
  /** Defaults to headless Chromium (found through `env.XLAB_CHROMIUM` or the standard install places). */
  pdf?: PdfPrinter;
  /** Where the default PDF printer looks for XLAB_CHROMIUM; defaults to the process's environment. */
  env?: NodeJS.ProcessEnv;
  /** The pinned baselines, for a report measured against one (none when not given). */
  baselines?: () => Promise<BaselineList>;
  /** The report's date (tests fix it). */
  now?: () => Date;
}

export interface ReportService {
  compare(runIds: string[], basis: CompareBasis): Promise<Comparison>;
  render(request: ReportRequest): Promise<{ html: string }>;
  /** Writes the report into `folder` under new names (`Title (2).html`, …); Markdown goes into a new folder. */
  export(request: ReportRequest, format: ReportFormat, folder: string): Promise<ExportedFiles>;
  /** The files `export` would write, in memory, named after the title. */
  download(request: ReportRequest, format: ReportFormat): Promise<{ files: DownloadFile[] }>;
  /**
   * Writes the report to exactly `file` (CSV: its summary beside it as `<name>-summary.csv`;
   * Markdown: its charts beside it as `<name>-loss.png`, …), refusing if any of them exists.
   */
  exportTo(request: ReportRequest, format: ReportFormat, file: string): Promise<ExportedFiles>;
}

/** A report file before it is written: its name and contents. */
interface ReportFile {
  name: string;
  data: string | Uint8Array;
}

/**
 * Creates `path` complete or not at all, failing if it exists: a report never replaces a file,
 * and a full disk (`DISK_FULL`) leaves no empty or partial file.
 */
async function writeNew(path: string, data: string | Uint8Array): Promise<void> {
  try {
    await writeNewFileAtomic(path, data);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') {
      throw new LabError('FILE_EXISTS', `${path} already exists; reports never overwrite a file: choose another name.`);
    }
    if (error instanceof LabError) throw error;
    throw new LabError(
      'EXPORT_UNWRITABLE',
      `Cannot write ${path}: ${(error as Error).message}. Choose another folder.`,
      { cause: error },
    );
  }
}

/**
 * Fills a path claimed empty by claimNewFile (the claim made it; it is ours): the content
 * replaces it whole, and if it cannot be written the empty claim is removed again.
 */
async function fillClaimed(path: string, data: string | Uint8Array): Promise<void> {
  try {
    await writeFileAtomic(path, data);
  } catch (error) {
    await rm(path, { force: true });
    if (error instanceof LabError) throw error;
    throw new LabError(
      'EXPORT_UNWRITABLE',
      `Cannot write ${path}: ${(error as Error).message}. Choose another folder.`,
      { cause: error },
    );
  }
}

/** Runs `write` for each file; if one fails, the files this export already wrote are removed. */
async function allOrNothing(paths: string[], write: (path: string, index: number) => Promise<void>): Promise<void> {
  const done: string[] = [];
  try {
    for (const [i, path] of paths.entries()) {
      await write(path, i);
      done.push(path);
    }
  } catch (error) {
    await Promise.all(done.map((path) => rm(path, { force: true })));
    throw error;
  }
}

const exists = (path: string): Promise<boolean> =>
  stat(path).then(
    () => true,
    () => false,
  );

const mediaTypes: Record<string, string> = {
  '.html': 'text/html;charset=utf-8',
  '.pdf': 'application/pdf',
  '.md': 'text/markdown;charset=utf-8',
  '.csv': 'text/csv;charset=utf-8',
  '.png': 'image/png',
};
const mediaType = (name: string): string => mediaTypes[extname(name)] ?? 'application/octet-stream';

export function createReportService(options: ReportServiceOptions): ReportService {
  const print = options.pdf ?? createChromiumPrinter(options.env);

  async function gather(request: ReportRequest): Promise<{ data: ReportData; runs: RunForComparison[] }> {
    if (request.runIds.length === 0)
      throw new LabError(
        'INVALID_ARGUMENT',
        'A report needs at least one run: pass the ids of the runs to report on (see "xlab runs").',
      );
    const { runs, problems } = await readRunsForComparison(options.runs, request.runIds);
    if (runs.length === 0)
      throw new LabError(
        'NO_RUNS',
        `None of the runs could be read, so there is nothing to report. ${problems.join(' ')}`,
      );
    const baseline = request.baseline ? await readBaseline(request.baseline, problems) : null;
    const data = await gatherReportData({
      request,
      runs,
      problems,
      baseline,
      evaluations: options.evaluations,
      app: await options.appInfo(),
      dataDir: options.dataDir,
      ...(options.now ? { now: options.now() } : {}),
    });
    return { data, runs };
  }

  /**
   * The chosen baseline's label and run; a baseline that is no longer pinned or whose run cannot
   * be read leaves the section out and says why among the report's problems (never a broken page).
   */
  async function readBaseline(
    runId: string,
    problems: string[],
  ): Promise<{ label: string; run: RunForComparison } | null> {
    const pinned = options.baselines ? (await options.baselines()).baselines.find((b) => b.runId === runId) : undefined;
    if (!pinned) {
      problems.push(
        `Run ${runId} is not pinned as a baseline (any more), so the report has no "Against the baseline" section.`,
      );
      return null;
    }
    const read = await readRunsForComparison(options.runs, [runId]);
    const run = read.runs[0];
    if (!run) {
      problems.push(
        `The baseline "${pinned.label}" could not be read (${read.problems.join(' ')}), so the report has no "Against the baseline" section.`,
      );
      return null;
    }
    return { label: pinned.label, run };
  }

  /** The report's files; `prefix` names the Markdown charts (`<prefix>loss.png`). */
  async function produce(
    request: ReportRequest,
    format: ReportFormat,
    base: string,
    prefix: string,
  ): Promise<ReportFile[]> {
    const { data, runs } = await gather(request);
    switch (format) {
      case 'html':
        return [{ name: `${base}.html`, data: renderReportHtml(data) }];
      case 'pdf':
        return [{ name: `${base}.pdf`, data: await print(renderReportHtml(data)) }];
      case 'md': {
        const report = renderMarkdownReport(data, prefix);
        const charts = await Promise.all(
          report.charts.map(async (chart) => ({ name: chart.file, data: await svgToPng(chart.svg) })),
        );
        return [{ name: `${base}.md`, data: report.markdown }, ...charts];
      }
      case 'csv':
        return [
          { name: `${base}.csv`, data: epochsCsv(runs) },
          { name: `${base}-summary.csv`, data: summaryCsv(data.comparison, data.baseline) },
        ];
    }
  }

  return {
    async compare(runIds, basis) {
      const { runs, problems } = await readRunsForComparison(options.runs, runIds);
      return compareRunData(runs, basis, problems);
    },
    async render(request) {
      return { html: renderReportHtml((await gather(request)).data) };
    },
    async export(request, format, folder) {
      if (!isAbsolute(folder))
        throw new LabError('INVALID_ARGUMENT', `The export folder must be an absolute path (got "${folder}").`);
      const base = safeFileName(request.title ?? '', defaultReportTitle);
      if (format === 'md') {
        // The Markdown file and its charts stay together in a new folder named after the title.
        const files = await produce(request, format, 'report', '');
        const dir = await claimNewFolder(folder, base);
        const written = files.map((file) => join(dir, file.name));
        // The folder was made for this export: it goes too if the files cannot be written.
        await allOrNothing(written, (path, i) => writeNew(path, files[i]!.data)).catch(async (error: unknown) => {
          await rm(dir, { recursive: true, force: true });
          throw error;
        });
        return { files: written };
      }
      const files = await produce(request, format, base, '');
      const written: string[] = [];
      await allOrNothing(
        files.map((file) => file.name),
        async (name, i) => {
          const path = await claimNewFile(folder, name);
          written.push(path);
          await fillClaimed(path, files[i]!.data);
        },
      ).catch(async (error: unknown) => {
        await Promise.all(written.map((path) => rm(path, { force: true })));
        throw error;
      });
      return { files: written };
    },
    async download(request, format) {
      const base = safeFileName(request.title ?? '', defaultReportTitle);
      const files = await produce(request, format, base, `${base}-`);
      return {
        files: files.map((file) => ({
          name: file.name,
          type: mediaType(file.name),
          base64: Buffer.from(file.data).toString('base64'),
        })),
      };
    },
    async exportTo(request, format, file) {
      const target = resolve(file);
      const dir = dirname(target);
      const ext = extname(target);
      const stem = basename(target, ext);
      const produced = await produce(request, format, stem, `${stem}-`);
      // The first file is the one asked for (its extension as given); the others go beside it.
      const paths = produced.map((f, i) => (i === 0 ? target : join(dir, f.name)));
      for (const path of paths) {
        if (await exists(path))
          throw new LabError(
            'FILE_EXISTS',
            `${path} already exists; reports never overwrite a file: choose another name.`,
          );
      }
      try {
        await mkdir(dir, { recursive: true });
      } catch (error) {
        throw new LabError(
          'EXPORT_UNWRITABLE',
          `Cannot create the folder ${dir}: ${(error as Error).message}. Choose another folder.`,
          { cause: error },
        );
      }
      await allOrNothing(paths, (path, i) => writeNew(path, produced[i]!.data));
      return { files: paths };
    },
  };
}
