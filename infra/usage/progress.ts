/** A progress line on stderr for long reads: shown only once a read takes longer than `afterMs`. */
export interface Progress {
  update(done: number, total: number): void;
  /** Shows `text` after the label (for reads whose total is not known up front). */
  show(text: string): void;
  finish(): void;
}

export interface ProgressOptions {
  stream: Pick<NodeJS.WriteStream, 'write'> & { isTTY?: boolean };
  label: string;
  afterMs?: number;
  /** A terminal gets one line rewritten in place; a log (not a TTY) a new line this often. */
  logEveryMs?: number;
  now?: () => number;
}

export function createProgress({
  stream,
  label,
  afterMs = 1000,
  logEveryMs = 5000,
  now = Date.now,
}: ProgressOptions): Progress {
  const started = now();
  let lastShown = -Infinity;
  let shown = false;
  const show = (text: string) => {
    const at = now();
    if (at - started < afterMs || at - lastShown < (stream.isTTY ? 100 : logEveryMs)) return;
    lastShown = at;
    shown = true;
    const line = `${label} ${text}`;
    stream.write(stream.isTTY ? `\r\u001b[2K${line}` : `${line}\n`);
  };
  return {
    update: (done, total) => show(`${done}/${total} widgets (${Math.floor((done / Math.max(1, total)) * 100)}%)`),
    show,
    finish() {
      if (shown && stream.isTTY) stream.write('\r\u001b[2K');
    },
  };
}
