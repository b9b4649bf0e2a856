import type { DownloadFile } from '../../../main/contract';
import { decodeBase64 } from './base64';

/**
 * Hands files to the browser's downloads (its own folder and its own "never overwrite"
 * naming), one after another.
 */
export function saveToComputer(files: readonly DownloadFile[], doc: Document = document): void {
  for (const file of files) {
    const url = URL.createObjectURL(new Blob([decodeBase64(file.base64)], { type: file.type }));
    const link = doc.createElement('a');
    link.href = url;
    link.download = file.name;
    link.rel = 'noopener';
    doc.body.append(link);
    link.click();
    link.remove();
    // The download has started from the click; the URL is freed once the browser has read it.
    setTimeout(() => URL.revokeObjectURL(url), 60_000);
  }
}
