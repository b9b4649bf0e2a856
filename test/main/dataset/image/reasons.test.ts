import { describe, expect, it } from 'vitest';
import { LabError } from '../../../../main/errors';
import { decodeReason, tooLargeReason, unreadableReason } from '../../../../main/dataset/image/reasons';

const errno = (code: string): NodeJS.ErrnoException => Object.assign(new Error(code), { code });

describe('reasons in words', () => {
  it('file-system errors', () => {
    expect(unreadableReason(errno('EACCES'))).toBe('unreadable: permission denied');
    expect(unreadableReason(errno('EPERM'))).toBe('unreadable: permission denied');
    expect(unreadableReason(errno('ELOOP'))).toBe('symbolic link loop');
    expect(unreadableReason(errno('EAGAIN'))).toBe('not a regular file');
    expect(unreadableReason(errno('EXDEV'))).toBe('unreadable: EXDEV');
  });

  it('decoder errors: truncation from the message, otherwise "damaged" with the cleaned message', () => {
    expect(decodeReason('jpeg', new Error('VipsJpeg: premature end of JPEG image'))).toBe('truncated JPEG');
    expect(
      decodeReason(
        'gif',
        new Error('Input buffer has corrupt header: gifload_buffer: Unexpected end of GIF source data'),
      ),
    ).toBe('truncated GIF');
    expect(decodeReason('avif', new Error('source: bad seek to 1024'))).toBe('truncated AVIF');
    expect(decodeReason('png', new Error('vipspng: libpng read error'))).toBe('damaged PNG (libpng read error)');
    // The pipeline's LabError wraps sharp's error as its cause.
    const wrapped = new LabError('IMAGE_UNREADABLE', 'Cannot decode x.tif: …', {
      cause: new Error('tiff2vips: Quantization table 0x00 was not defined'),
    });
    expect(decodeReason('tiff', wrapped)).toBe('damaged TIFF (Quantization table 0x00 was not defined)');
    expect(decodeReason('png', new Error('Input image exceeds pixel limit'))).toBe(
      'image too large: it exceeds the 268-megapixel limit',
    );
  });

  it('too large names the size', () => {
    expect(tooLargeReason({ width: 30000, height: 30000 })).toBe(
      'image too large: 30000×30000 exceeds the 268-megapixel limit',
    );
  });
});
