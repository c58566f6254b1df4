import { createWriteStream, mkdirSync, type WriteStream } from 'node:fs';
import * as path from 'node:path';

/**
 * One log file per function under `dir`, standing in for its CloudWatch log group: what the
 * handler (Powertools logger, EMF metrics) writes to stdout or stderr lands in `<function>.log`.
 */
export class FunctionLogs {
  private readonly streams = new Map<string, WriteStream>();
  private closed = false;

  constructor(readonly dir: string) {
    mkdirSync(dir, { recursive: true });
  }

  fileOf(functionName: string): string {
    return path.join(this.dir, `${functionName}.log`);
  }

  sink(functionName: string): (chunk: string) => void {
    return (chunk) => {
      // A handler still running after stop (a timed-out invocation) has nowhere left to log.
      if (this.closed) return;
      let stream = this.streams.get(functionName);
      if (!stream) {
        stream = createWriteStream(this.fileOf(functionName), { flags: 'a' });
        this.streams.set(functionName, stream);
      }
      stream.write(chunk);
    };
  }

  async close(): Promise<void> {
    this.closed = true;
    await Promise.all(
      [...this.streams.values()].map((stream) => new Promise<void>((resolve) => stream.end(() => resolve()))),
    );
    this.streams.clear();
  }
}
