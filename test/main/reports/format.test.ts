import { describe, expect, it } from 'vitest';
import {
  csvField,
  escapeHtml,
  escapeMarkdown,
  escapeMarkdownBlock,
  formatCount,
  formatDate,
  formatDuration,
  formatMetric,
  formatRate,
  formatValue,
  toCsv,
} from '../../../main/reports/format';
import { parseCsv } from './csv-parse';

describe('number formatting', () => {
  it('writes parameter counts like the lecture', () => {
    expect(formatCount(21_066_380)).toBe('21,066,380');
    expect(formatCount(0)).toBe('0');
    expect(formatCount(null)).toBe('—');
  });

  it('writes metrics with four decimals, durations and rates in words', () => {
    expect(formatMetric(0.123456)).toBe('0.1235');
    expect(formatMetric(undefined)).toBe('—');
    expect(formatDuration(245_000)).toBe('4 min 05 s');
    expect(formatRate(12.34)).toBe('12.3');
    expect(formatRate(1234.4)).toBe('1,234');
    expect(formatDate(new Date('2026-11-25T21:08:39Z'))).toBe('2026-11-25 21:08 UTC');
    expect(formatValue([128, 256])).toBe('128, 256');
    expect(formatValue(true)).toBe('yes');
  });
});

describe('escaping', () => {
  const xss = '<img src=x onerror=alert(1)>';

  it('escapes HTML special characters', () => {
    expect(escapeHtml(`${xss} & "q" 'a'`)).toBe('&lt;img src=x onerror=alert(1)&gt; &amp; &quot;q&quot; &#39;a&#39;');
  });

  it('makes Markdown literal: no raw tags, emphasis, links or table breaks', () => {
    expect(escapeMarkdown(xss)).toBe('\\<img src=x onerror=alert(1)\\>');
    expect(escapeMarkdown('a|b *c* _d_ [e](f) `g` #h \\i')).toBe('a\\|b \\*c\\* \\_d\\_ \\[e\\](f) \\`g\\` \\#h \\\\i');
    expect(escapeMarkdown('two\nlines')).toBe('two lines');
    expect(escapeMarkdownBlock('- not a list\n1. nor this\nplain')).toBe('\\- not a list  \n1\\. nor this  \nplain');
  });

  it('quotes CSV fields per RFC 4180 and defuses spreadsheet formulas', () => {
    expect(csvField('plain')).toBe('plain');
    expect(csvField('a,b')).toBe('"a,b"');
    expect(csvField('say "hi"')).toBe('"say ""hi"""');
    expect(csvField('two\nlines')).toBe('"two\nlines"');
    expect(csvField('=HYPERLINK("x")')).toBe('"\'=HYPERLINK(""x"")"');
    expect(csvField(-0.5)).toBe('-0.5');
    expect(csvField(null)).toBe('');
    expect(
      toCsv([
        ['a', 1],
        ['b', null],
      ]),
    ).toBe('a,1\r\nb,\r\n');
  });

  it('round-trips awkward text through CSV', () => {
    const rows = [
      ['name', 'value'],
      ['comma, inside', '1'],
      ['quote " inside', '2'],
      ['line\r\nbreak', '3'],
      [xss, 'ünïcödé 猫'],
    ];
    expect(parseCsv(toCsv(rows))).toEqual(rows);
  });
});
