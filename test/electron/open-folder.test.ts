import { beforeEach, describe, expect, it, vi } from 'vitest';
import { shell } from 'electron';
import { openFolder } from '../../electron/open-folder';

describe('openFolder', () => {
  beforeEach(() => vi.mocked(shell.openPath).mockReset());

  it('opens the folder with the system file manager', async () => {
    vi.mocked(shell.openPath).mockResolvedValue('');
    await openFolder('/data/runs/x');
    expect(shell.openPath).toHaveBeenCalledWith('/data/runs/x');
  });

  it("turns the shell's failure string into an error naming the folder", async () => {
    vi.mocked(shell.openPath).mockResolvedValue('No application is registered');
    await expect(openFolder('/data/runs/x')).rejects.toThrow(
      'The file manager could not open /data/runs/x: No application is registered',
    );
  });
});
