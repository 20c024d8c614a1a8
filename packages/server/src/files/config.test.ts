import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../config.js';

/** The file settings are validated at start, and an error names the bad setting. */
describe('file settings', () => {
  const setting = (env: NodeJS.ProcessEnv) => {
    try {
      loadConfig(env);
      return null;
    } catch (error) {
      return error instanceof ConfigError ? error.setting : error;
    }
  };

  it('defaults to the local disk under the data dir', () => {
    const config = loadConfig({ CHORUS_DATA_DIR: '/srv/chorus' });
    expect(config.files).toMatchObject({ dir: '/srv/chorus/files', s3: null, maxBytes: 100 * 1024 * 1024, linkTtlSeconds: 300, signingSecret: null });
  });

  it('reads an S3-compatible store', () => {
    const config = loadConfig({ CHORUS_S3_ENDPOINT: 'http://minio:9000', CHORUS_S3_BUCKET: 'chorus', CHORUS_S3_ACCESS_KEY_ID: 'k', CHORUS_S3_SECRET_ACCESS_KEY: 's' });
    expect(config.files.s3).toEqual({ endpoint: 'http://minio:9000', bucket: 'chorus', region: 'us-east-1', accessKeyId: 'k', secretAccessKey: 's', forcePathStyle: true, checksums: 'when_required' });
  });

  it('names the bad setting', () => {
    expect(setting({ CHORUS_FILES_MAX_BYTES: '10MB' })).toBe('CHORUS_FILES_MAX_BYTES');
    expect(setting({ CHORUS_FILES_MAX_BYTES: '0' })).toBe('CHORUS_FILES_MAX_BYTES');
    expect(setting({ CHORUS_FILES_SIGNING_SECRET: 'short' })).toBe('CHORUS_FILES_SIGNING_SECRET');
    expect(setting({ CHORUS_S3_ENDPOINT: 'minio:9000' })).toBe('CHORUS_S3_ENDPOINT');
    expect(setting({ CHORUS_S3_ENDPOINT: 'http://minio:9000' })).toBe('CHORUS_S3_BUCKET');
    expect(setting({ CHORUS_S3_ENDPOINT: 'http://minio:9000', CHORUS_S3_BUCKET: 'b', CHORUS_S3_ACCESS_KEY_ID: 'k' })).toBe('CHORUS_S3_SECRET_ACCESS_KEY');
    expect(setting({ CHORUS_S3_ENDPOINT: 'http://minio:9000', CHORUS_S3_BUCKET: 'b', CHORUS_S3_CHECKSUMS: 'always' })).toBe('CHORUS_S3_CHECKSUMS');
    expect(setting({ CHORUS_S3_ENDPOINT: 'http://minio:9000', CHORUS_S3_BUCKET: 'b', CHORUS_S3_FORCE_PATH_STYLE: 'yes' })).toBe('CHORUS_S3_FORCE_PATH_STYLE');
  });
});
