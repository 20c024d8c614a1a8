import { fileTypeFromBuffer } from 'file-type';
import type { AvatarType } from '../db/schema.js';

const avatarTypes: ReadonlySet<string> = new Set<AvatarType>(['image/png', 'image/jpeg', 'image/gif', 'image/webp']);

/**
 * The image type from the bytes' own signature (`file-type`, as files/inspect.ts
 * does for attachments), never from a name or a declared content type, which
 * the uploader controls. Only the four types every browser shows; anything else
 * (SVG, which can carry script, included) is null.
 */
export async function imageTypeOf(bytes: Uint8Array): Promise<AvatarType | null> {
  const found = await fileTypeFromBuffer(bytes);
  return found && avatarTypes.has(found.mime) ? (found.mime as AvatarType) : null;
}
