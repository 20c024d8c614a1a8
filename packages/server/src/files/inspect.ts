import { open } from 'node:fs/promises';
import { fileTypeFromFile } from 'file-type';
import sharp from 'sharp';

/** What the content says a file is, whatever its name or the client claimed. */
export interface Detected {
  mime: string;
  width: number | null;
  height: number | null;
}

/** Raster images a browser shows inline and sharp reads; everything else (SVG included) is downloaded. */
export const inlineImages = new Set(['image/png', 'image/jpeg', 'image/gif', 'image/webp', 'image/avif']);

/** A thumbnail fits in this square. */
export const previewSize = 400;
/** Decompression bombs: images with more pixels than this get no preview and no dimensions. */
const maxPixels = 50_000_000;

/**
 * The type from the file's magic bytes (`file-type`); without a signature,
 * text if the first 64 KiB are valid UTF-8 without NUL bytes, otherwise
 * `application/octet-stream`. Images get their dimensions.
 */
export async function detect(path: string): Promise<Detected> {
  const found = await fileTypeFromFile(path);
  const mime = found?.mime ?? ((await looksLikeText(path)) ? 'text/plain' : 'application/octet-stream');
  if (!inlineImages.has(mime)) return { mime, width: null, height: null };
  try {
    const meta = await sharp(path, { limitInputPixels: maxPixels }).metadata();
    return { mime, width: meta.width ?? null, height: meta.height ?? null };
  } catch {
    return { mime, width: null, height: null }; // a damaged image is still a file
  }
}

async function looksLikeText(path: string): Promise<boolean> {
  const handle = await open(path);
  try {
    const buffer = Buffer.alloc(64 * 1024);
    const { bytesRead } = await handle.read(buffer, 0, buffer.length, 0);
    const head = buffer.subarray(0, bytesRead);
    if (head.includes(0)) return false;
    try {
      // A multi-byte character cut at the end of the sample is still text.
      new TextDecoder('utf-8', { fatal: true }).decode(head.subarray(0, bytesRead === buffer.length ? bytesRead - 4 : bytesRead));
      return true;
    } catch {
      return false;
    }
  } finally {
    await handle.close();
  }
}

/**
 * Writes a WebP thumbnail (at most {@link previewSize} px on each side, never
 * enlarged, orientation applied) of an image to `target`; false when the image
 * cannot be read.
 */
export async function writePreview(source: string, target: string): Promise<boolean> {
  try {
    await sharp(source, { limitInputPixels: maxPixels, animated: false })
      .rotate()
      .resize(previewSize, previewSize, { fit: 'inside', withoutEnlargement: true })
      .webp({ quality: 80 })
      .toFile(target);
    return true;
  } catch {
    return false;
  }
}
