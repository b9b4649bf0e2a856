/** The folder a file is in, for a POSIX or a Windows path ('' for a bare file name). */
export function folderOf(path: string): string {
  const cut = Math.max(path.lastIndexOf('/'), path.lastIndexOf('\\'));
  if (cut < 0) return '';
  const folder = path.slice(0, cut + 1);
  // Keep the separator only for a root: "/" or "C:\".
  return cut === 0 || /^[A-Za-z]:[\\/]$/.test(folder) ? folder : folder.slice(0, -1);
}
