import { Command } from 'commander';
import type { BaselineList } from '../contract';
import { createLab } from '../lab';
import { LabError } from '../errors';
import { printJson, type CliIo } from './io';

/**
 * `xlab baseline pin RUN_ID --label TEXT`, `xlab baseline unpin RUN_ID`, `xlab baseline list`:
 * the runs new runs are measured against (Compare's Δ columns, the live view, the report).
 */
export function baselineCommand(io: CliIo, dataDirOf: (cmd: Command) => string): Command {
  const withLab = async (
    cmd: Command,
    json: boolean,
    call: (lab: Awaited<ReturnType<typeof createLab>>) => Promise<BaselineList>,
  ): Promise<void> => {
    const lab = await createLab({ dataDir: dataDirOf(cmd), env: io.env, workerUrl: io.workerUrl, lazyEngine: true });
    try {
      const list = await call(lab);
      for (const notice of list.notices) io.stderr(`${notice}\n`);
      if (json) return printJson(io, list.baselines);
      if (list.baselines.length === 0)
        return io.stdout('No baselines pinned: pin one with "xlab baseline pin RUN_ID --label TEXT".\n');
      for (const b of list.baselines) io.stdout(`${b.runId}  "${b.label}"  pinned ${b.pinnedAt.slice(0, 10)}\n`);
    } finally {
      await lab.close();
    }
  };

  const baseline = new Command('baseline').description('pin runs as baselines that new runs are measured against');
  baseline
    .command('pin')
    .description('pin a run as a baseline under a label (pinning it again changes the label)')
    .argument('<run-id>', 'the run to pin (see "xlab runs")')
    .requiredOption('--label <text>', 'what the baseline is, e.g. "best result" or "last week"')
    .option('--json', 'print the pinned baselines as JSON on stdout')
    .action(async (runId: string, opts: { label: string; json?: boolean }, cmd: Command) => {
      if (opts.label.trim() === '')
        throw new LabError(
          'INVALID_OPTION',
          '--label cannot be empty: say what the baseline is, e.g. --label "best result".',
        );
      await withLab(cmd, Boolean(opts.json), (lab) => lab.pinBaseline(runId, opts.label));
    });
  baseline
    .command('unpin')
    .description('unpin a baseline (the run itself stays)')
    .argument('<run-id>', 'the pinned run')
    .option('--json', 'print the remaining baselines as JSON on stdout')
    .action(async (runId: string, opts: { json?: boolean }, cmd: Command) => {
      await withLab(cmd, Boolean(opts.json), (lab) => lab.unpinBaseline(runId));
    });
  baseline
    .command('list')
    .description('the pinned baselines, most recent first')
    .option('--json', 'machine-readable output on stdout')
    .action(async (opts: { json?: boolean }, cmd: Command) => {
      await withLab(cmd, Boolean(opts.json), (lab) => lab.listBaselines());
    });
  return baseline;
}
