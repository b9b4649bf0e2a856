/**
 * Plain code-point order for class names and paths: what `sort` does in Python and Rust, and
 * what UTF-8 byte order gives. JavaScript's default string order compares UTF-16 units, which
 * puts characters above U+FFFF (emoji, rare CJK) before U+E000–U+FFFF; this does not.
 */
export function compareCodePoints(a: string, b: string): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const x = a.charCodeAt(i);
    const y = b.charCodeAt(i);
    if (x === y) continue;
    const xSurrogate = x >= 0xd800 && x <= 0xdfff;
    const ySurrogate = y >= 0xd800 && y <= 0xdfff;
    // A surrogate stands for a code point above U+FFFF: after every other UTF-16 unit.
    if (xSurrogate && !ySurrogate && y > 0xdfff) return 1;
    if (ySurrogate && !xSurrogate && x > 0xdfff) return -1;
    return x - y;
  }
  return a.length - b.length;
}
