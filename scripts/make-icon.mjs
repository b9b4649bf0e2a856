// Renders assets/icon.svg to assets/icon.png (512×512), the icon electron-builder converts
// for every platform (AppImage/deb, NSIS .ico, dmg .icns).   node scripts/make-icon.mjs
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import sharp from 'sharp';

const assets = join(dirname(fileURLToPath(import.meta.url)), '..', 'assets');
const SIZE = 512;

const info = await sharp(join(assets, 'icon.svg'), { density: 72 })
  .resize(SIZE, SIZE)
  .png({ compressionLevel: 9 })
  .toFile(join(assets, 'icon.png'));
console.log(`assets/icon.png: ${info.width}×${info.height}, ${(info.size / 1024).toFixed(1)} KB`);
