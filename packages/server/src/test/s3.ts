import { mkdtemp } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { CreateBucketCommand, S3Client } from '@aws-sdk/client-s3';
import S3rver from 's3rver';
import type { S3Config } from '../config.js';

/**
 * A real S3-compatible server on loopback for tests: s3rver speaks the S3 wire
 * protocol in-process (no MinIO binary installs here), with a fresh bucket.
 */
export async function startS3(): Promise<{ config: S3Config; client: S3Client; close(): Promise<void> }> {
  const server = new S3rver({ address: '127.0.0.1', port: 0, silent: true, directory: await mkdtemp(path.join(os.tmpdir(), 'chorus-s3-')), resetOnClose: true });
  const { port } = await server.run();
  const config: S3Config = {
    endpoint: `http://127.0.0.1:${port}`,
    bucket: 'chorus-files',
    region: 'us-east-1',
    accessKeyId: 'S3RVER',
    secretAccessKey: 'S3RVER',
    forcePathStyle: true,
    checksums: 'when_required',
  };
  const client = new S3Client({
    endpoint: config.endpoint,
    region: config.region,
    forcePathStyle: true,
    credentials: { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' },
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
  });
  await client.send(new CreateBucketCommand({ Bucket: config.bucket }));
  return {
    config,
    client,
    close: async () => {
      client.destroy();
      await server.close();
    },
  };
}
