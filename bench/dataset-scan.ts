/**
 * Dataset scan benchmark (issue 3): `npm run build && npm run bench -- dataset-scan`.
 *
 *   1. class counts of the 60,000-image Fashion-MNIST folder (listing + headers)   target ≤ 5 s
 *   2. full decode validation of every image (28-px PNGs)                          target ≥ 1,000 img/s
 *
 * Both are whole `scanDataset` calls, wall time, with the OS file cache warm (the first,
 * untimed pass warms it, so "cold" disks do not decide the figure). CPU time is printed too:
 * on a shared machine the wall time depends on what else runs, the CPU time much less. The folder is built once
 * under os.tmpdir()/xlab-bench/fashion-60k/ (bench/fixtures/fashion-60k.ts).
 *
 * Options: `-- dataset-scan --concurrency N` (files in flight; default: the scanner's).
 */
import { availableParallelism, cpus, loadavg } from 'node:os';
import sharp from 'sharp';
import type { ScanReport, ScanValidation } from '../main/dataset/scan/report';
import { scanDataset } from '../main/dataset/scan/scan';
import { ensureFashion60k } from './fixtures/fashion-60k';

const argConcurrency = process.argv.indexOf('--concurrency');
const concurrency = argConcurrency > 0 ? Number(process.argv[argConcurrency + 1]) : undefined;
const MB = 1024 * 1024;

function line(name: string, value: string, target?: string, ok?: boolean): void {
  console.log(`${name.padEnd(52)} ${value.padStart(14)}${target ? `   target ${target} ${ok ? 'PASS' : 'MISS'}` : ''}`);
}

interface Timed {
  seconds: number;
  /** CPU time of this process (user + system), which other processes on the machine do not inflate. */
  cpuSeconds: number;
  report: ScanReport;
  events: number;
  peakRss: number;
}

async function timedScan(root: string, validate: ScanValidation): Promise<Timed> {
  let events = 0;
  const cpu = process.cpuUsage();
  let peakRss = process.memoryUsage().rss;
  const sampler = setInterval(() => (peakRss = Math.max(peakRss, process.memoryUsage().rss)), 100);
  const started = performance.now();
  try {
    const report = await scanDataset(root, {
      validate,
      ...(concurrency ? { concurrency } : {}),
      onProgress: () => events++,
    });
    const used = process.cpuUsage(cpu);
    return {
      seconds: (performance.now() - started) / 1000,
      cpuSeconds: (used.user + used.system) / 1e6,
      report,
      events,
      peakRss,
    };
  } finally {
    clearInterval(sampler);
  }
}

async function main(): Promise<void> {
  console.log(
    `node ${process.version}, ${availableParallelism()} cores (${cpus()[0]?.model ?? '?'}), load ${loadavg()
      .map((l) => l.toFixed(2))
      .join(' ')}, ` +
      `sharp ${sharp.versions.sharp} / libvips ${sharp.versions.vips}, UV_THREADPOOL_SIZE ${process.env.UV_THREADPOOL_SIZE ?? '4 (default)'}, ` +
      `concurrency ${concurrency ?? 'default'}`,
  );
  const fashion = await ensureFashion60k((m) => console.log(m));
  console.log(`${fashion.files.length} images in ${fashion.root}\n`);

  await timedScan(fashion.root, 'headers'); // warms the OS file cache

  const counts = await timedScan(fashion.root, 'headers');
  const classes = counts.report.classes.map((c) => `${c.name} ${c.images}`).join(', ');
  line('class counts, listing + headers (60k images)', `${counts.seconds.toFixed(2)} s`, '≤ 5 s', counts.seconds <= 5);
  line('  images/s', `${(counts.report.images / counts.seconds).toFixed(0)} img/s`);
  line('  CPU time (user + system)', `${counts.cpuSeconds.toFixed(2)} s`);
  line('  progress events', `${counts.events} (${(counts.events / counts.seconds).toFixed(1)}/s)`);

  const full = await timedScan(fashion.root, 'full');
  const rate = full.report.images / full.seconds;
  line('full decode validation, 28 px (60k images)', `${rate.toFixed(0)} img/s`, '≥ 1,000 img/s', rate >= 1000);
  line('  wall time', `${full.seconds.toFixed(1)} s`);
  line(
    '  CPU time (user + system)',
    `${full.cpuSeconds.toFixed(1)} s = ${((full.cpuSeconds / full.report.images) * 1e3).toFixed(2)} ms/img`,
  );
  line('  peak RSS', `${(full.peakRss / MB).toFixed(0)} MB`);
  line('  progress events', `${full.events} (${(full.events / full.seconds).toFixed(1)}/s)`);

  const same = counts.report.fingerprint === full.report.fingerprint;
  console.log(
    `\n${full.report.images} usable, ${full.report.problems.length} problems, ${full.report.duplicates.length} duplicate groups; ${classes}`,
  );
  console.log(`fingerprint ${full.report.fingerprint} (${same ? 'same' : 'DIFFERENT'} in both modes)`);
  if (full.report.images !== fashion.files.length || !same) process.exitCode = 1;
}

await main();
