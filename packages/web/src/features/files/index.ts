export { AttachButton, PendingChips, fileDropProps } from './ComposerFiles.js';
export { Attachments } from './Attachments.js';
export { usePendingFiles, type PendingFile, type PendingFiles } from './pending.js';
export { sendWithFiles } from './send.js';
