import type { AvatarType } from '../db/schema.js';

const startsWith = (bytes: Uint8Array, prefix: readonly number[], at = 0) => prefix.every((b, i) => bytes[at + i] === b);
const ascii = (text: string) => Array.from(Buffer.from(text, 'latin1'));

/**
 * The image type from the file's own first bytes (its "magic number"), never
 * from a name or a declared content type, which the uploader controls. Only the
 * four types every browser shows; anything else (SVG, which can carry script,
 * included) is null.
 */
export function imageTypeOf(bytes: Uint8Array): AvatarType | null {
  if (startsWith(bytes, [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])) return 'image/png';
  if (startsWith(bytes, [0xff, 0xd8, 0xff])) return 'image/jpeg';
  if (startsWith(bytes, ascii('GIF87a')) || startsWith(bytes, ascii('GIF89a'))) return 'image/gif';
  if (startsWith(bytes, ascii('RIFF')) && startsWith(bytes, ascii('WEBP'), 8)) return 'image/webp';
  return null;
}
