// Parser for the IDX format used by MNIST and Fashion-MNIST
// (http://yann.lecun.com/exdb/mnist/, "FILE FORMATS FOR THE MNIST DATABASE"):
//   bytes 0-1  0x00 0x00
//   byte  2    element type: 0x08 ubyte, 0x09 sbyte, 0x0B int16, 0x0C int32, 0x0D float32, 0x0E float64
//   byte  3    number of dimensions
//   then one big-endian uint32 per dimension, then the data, row-major, big-endian.
// Pure: takes the (already gunzipped) bytes, never touches the file system.

/** @type {Record<number, { name: string, size: number }>} */
const TYPES = {
  0x08: { name: 'ubyte', size: 1 },
  0x09: { name: 'sbyte', size: 1 },
  0x0b: { name: 'int16', size: 2 },
  0x0c: { name: 'int32', size: 4 },
  0x0d: { name: 'float32', size: 4 },
  0x0e: { name: 'float64', size: 8 },
};

/**
 * Parses an IDX buffer holding unsigned bytes (the only type MNIST-style image and label files use).
 * Every error is an Error whose message starts with `name` and says what is wrong.
 *
 * @param {Uint8Array} buffer the IDX bytes (not gzipped)
 * @param {string} name the file name to quote in errors
 * @returns {{ dims: number[], data: Uint8Array }} the dimensions and a view on the element bytes
 */
export function parseIdx(buffer, name) {
  const fail = (/** @type {string} */ why) => new Error(`${name}: not a valid IDX file: ${why}`);
  if (!(buffer instanceof Uint8Array)) throw new TypeError(`${name}: parseIdx expects a Buffer or Uint8Array`);
  if (buffer.length >= 2 && buffer[0] === 0x1f && buffer[1] === 0x8b) {
    throw fail('it is still gzip-compressed; gunzip it first');
  }
  if (buffer.length < 4) throw fail(`${buffer.length} bytes is shorter than the 4-byte magic number`);
  const magic = Buffer.from(buffer.buffer, buffer.byteOffset, 4).toString('hex');
  if (buffer[0] !== 0 || buffer[1] !== 0) throw fail(`magic number 0x${magic} does not start with 0x0000`);
  const type = TYPES[/** @type {number} */ (buffer[2])];
  if (!type) throw fail(`magic number 0x${magic} has unknown element type 0x${magic.slice(4, 6)}`);
  if (type.name !== 'ubyte') {
    throw fail(`element type ${type.name} (magic 0x${magic}) is not supported; only ubyte (0x08) is`);
  }
  const ndims = /** @type {number} */ (buffer[3]);
  if (ndims === 0) throw fail(`magic number 0x${magic} declares 0 dimensions`);
  const headerLength = 4 + 4 * ndims;
  if (buffer.length < headerLength) {
    throw fail(`header needs ${headerLength} bytes for ${ndims} dimensions but the file has ${buffer.length}`);
  }
  const view = new DataView(buffer.buffer, buffer.byteOffset, buffer.byteLength);
  const dims = [];
  for (let i = 0; i < ndims; i++) dims.push(view.getUint32(4 + 4 * i, false));
  const expected = dims.reduce((a, b) => a * b, 1) * type.size;
  const actual = buffer.length - headerLength;
  if (actual !== expected) {
    const shape = dims.join('×');
    throw fail(
      `${shape} ${type.name} needs ${expected} data bytes but the file has ${actual} (${actual < expected ? 'truncated' : 'trailing bytes'})`,
    );
  }
  return { dims, data: buffer.subarray(headerLength) };
}
