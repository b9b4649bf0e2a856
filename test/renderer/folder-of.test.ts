import { describe, expect, it } from 'vitest';
import { folderOf } from '../../renderer/src/lib/folder-of';

describe('folderOf', () => {
  it('gives the folder of POSIX and Windows paths, roots included', () => {
    expect(folderOf('/data/exports/Lab 3/report.md')).toBe('/data/exports/Lab 3');
    expect(folderOf('C:\\Users\\ann\\exports\\report.html')).toBe('C:\\Users\\ann\\exports');
    expect(folderOf('/report.html')).toBe('/');
    expect(folderOf('C:\\report.html')).toBe('C:\\');
    expect(folderOf('report.html')).toBe('');
  });
});
