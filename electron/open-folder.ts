import { shell } from 'electron';
import { LabError } from '../main/errors';

/** Shows a folder in the system's file manager (Finder, Explorer, Files…). */
export async function openFolder(path: string): Promise<void> {
  const failure = await shell.openPath(path);
  if (failure) throw new LabError('OPEN_FAILED', `The file manager could not open ${path}: ${failure}`);
}
