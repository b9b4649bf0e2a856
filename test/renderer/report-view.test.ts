import { describe, expect, it } from 'vitest';
import {
  reportFormats,
  reportProblem,
  reportRequest,
  type ReportForm,
} from '../../renderer/src/components/report/report-view';

const form = (over: Partial<ReportForm> = {}): ReportForm => ({
  runIds: ['a', 'b'],
  title: '',
  author: '',
  notes: '',
  basis: 'final',
  ...over,
});

describe('reportRequest', () => {
  it('leaves blank fields out', () => {
    expect(reportRequest(form())).toEqual({ runIds: ['a', 'b'], basis: 'final' });
  });

  it('trims the title and author, and the notes at their ends only', () => {
    expect(
      reportRequest(
        form({ title: '  Flowers  ', author: ' Ada ', notes: '\n  first line\n\nsecond  \n', basis: 'best' }),
      ),
    ).toEqual({
      runIds: ['a', 'b'],
      basis: 'best',
      title: 'Flowers',
      author: 'Ada',
      notes: '  first line\n\nsecond',
    });
  });
});

describe('reportProblem', () => {
  it('needs a run', () => {
    expect(reportProblem(form({ runIds: [] }))).toMatch(/at least one run/);
    expect(reportProblem(form())).toBeNull();
  });

  it('says when a field is too long', () => {
    expect(reportProblem(form({ title: 'x'.repeat(301) }))).toMatch(/title/);
    expect(reportProblem(form({ runIds: Array.from({ length: 51 }, (_, i) => String(i)) }))).toMatch(/at most 50 runs/);
  });
});

it('offers the four formats', () => {
  expect(reportFormats.map((f) => f.format)).toEqual(['html', 'pdf', 'md', 'csv']);
});
