export { AttachButton, PendingChips } from './ComposerFiles.js';
export { DropOverlay, useFileDrop } from './drop.js';
export { Attachments } from './Attachments.js';
export { usePendingFiles, type PendingFile, type PendingFiles } from './pending.js';
export { sendWithFiles } from './send.js';
