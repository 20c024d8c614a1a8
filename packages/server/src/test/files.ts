import sharp from 'sharp';
import type { Api, Reply } from './client.js';

/** Uploads bytes to a channel as a raw request body, as the SDK and the web app do. */
export async function upload(api: Api, channelId: string, bytes: Uint8Array | string, name: string, contentType = 'application/octet-stream'): Promise<Reply> {
  const res = await fetch(`${api.baseUrl}/api/v1/channels/${channelId}/files?name=${encodeURIComponent(name)}`, {
    method: 'POST',
    headers: { 'content-type': contentType, ...(api.token ? { authorization: `Bearer ${api.token}` } : {}) },
    body: typeof bytes === 'string' ? bytes : Buffer.from(bytes),
  });
  const text = await res.text();
  return { status: res.status, body: text ? JSON.parse(text) : null, headers: res.headers };
}

/** A real PNG of the given size. */
export function png(width = 640, height = 480): Promise<Buffer> {
  return sharp({ create: { width, height, channels: 3, background: '#3366cc' } }).png().toBuffer();
}

/** Follows a link path (`/api/v1/files/…`) on the server, without a token. */
export function download(baseUrl: string, path: string): Promise<Response> {
  return fetch(`${baseUrl}${path}`);
}
