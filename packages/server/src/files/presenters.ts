import { Type } from 'typebox';
import type { FileView } from '@chorus/protocol/views';
import type { FileRow } from '../db/schema.js';
import { Nullable, Timestamp } from '../http/schemas.js';

export const FileViewSchema = Type.Object({
  id: Type.String(),
  channel_id: Type.String(),
  message_id: Nullable(Type.String()),
  uploader_id: Type.String(),
  name: Type.String(),
  size: Type.Integer(),
  mime: Type.String({ description: 'detected from the content' }),
  width: Nullable(Type.Integer()),
  height: Nullable(Type.Integer()),
  preview: Type.Boolean({ description: 'a thumbnail exists (link variant preview)' }),
  created_at: Timestamp,
});

export const LinkSchema = Type.Object({ url: Type.String(), path: Type.String(), expires_at: Timestamp });

export type FileColumns = Pick<FileRow, 'id' | 'channel_id' | 'message_id' | 'uploader_id' | 'name' | 'size' | 'mime' | 'width' | 'height' | 'preview_key' | 'created_at'>;

export function presentFile(f: FileColumns): FileView {
  return {
    id: f.id,
    channel_id: f.channel_id,
    message_id: f.message_id,
    uploader_id: f.uploader_id,
    name: f.name,
    size: f.size,
    mime: f.mime,
    width: f.width,
    height: f.height,
    preview: f.preview_key !== null,
    created_at: f.created_at.toISOString(),
  };
}
