import { useRef, useState, type DragEvent, type ReactNode } from 'react';
import type { PendingFiles } from './pending.js';
import './files.css';

const hasFiles = (e: DragEvent) => e.dataTransfer.types.includes('Files');

/**
 * Makes an element a drop target for files: the dropped ones join the pending
 * attachments, and `dragging` is true while files are held over it (for an
 * overlay). The composer and the whole channel page use it; enter and leave
 * are counted because they fire again for every child crossed.
 *
 * @example
 * const drop = useFileDrop(files);
 * return <section {...drop.props}>{drop.dragging && <DropOverlay>Drop to attach</DropOverlay>}…</section>;
 */
export function useFileDrop(files: PendingFiles) {
  const [dragging, setDragging] = useState(false);
  const depth = useRef(0);
  const props = {
    onDragEnter: (e: DragEvent) => {
      if (!hasFiles(e)) return;
      e.preventDefault();
      depth.current += 1;
      setDragging(true);
    },
    onDragOver: (e: DragEvent) => {
      if (!hasFiles(e)) return;
      e.preventDefault();
      e.dataTransfer.dropEffect = 'copy';
    },
    onDragLeave: (e: DragEvent) => {
      if (!hasFiles(e)) return;
      depth.current = Math.max(0, depth.current - 1);
      if (depth.current === 0) setDragging(false);
    },
    onDrop: (e: DragEvent) => {
      if (!hasFiles(e)) return;
      e.preventDefault();
      // One drop target per drop: an enclosing one must not add the files again.
      e.stopPropagation();
      depth.current = 0;
      setDragging(false);
      files.add(Array.from(e.dataTransfer.files));
    },
  };
  return { dragging, props };
}

/** What a drop target shows while files are held over it. */
export function DropOverlay({ children }: { children: ReactNode }) {
  return <div className="drop-overlay" role="status"><span>{children}</span></div>;
}
