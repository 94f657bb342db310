// Byte-level helpers for engine streams: the attach stream's stdout/stderr multiplexing (used when
// the container has no TTY) and newline-delimited JSON (the event stream, stdio MCP messages).

/**
 * Splits the engine's multiplexed attach stream: frames of an 8-byte header (stream type: 1 stdout,
 * 2 stderr; bytes 4-7 the payload length, big-endian) followed by the payload.
 */
export class StreamDemuxer {
  private buffer: Buffer = Buffer.alloc(0);

  constructor(
    private readonly onStdout: (chunk: Buffer) => void,
    private readonly onStderr: (chunk: Buffer) => void,
    /** A frame longer than this means the stream is not what we think it is. */
    private readonly maxFrameBytes = 64 * 1024 * 1024,
  ) {}

  /** Feeds bytes; throws when the stream is not a multiplexed stream. */
  push(chunk: Buffer): void {
    this.buffer = this.buffer.length ? Buffer.concat([this.buffer, chunk]) : chunk;
    while (this.buffer.length >= 8) {
      const type = this.buffer[0]!;
      const length = this.buffer.readUInt32BE(4);
      if (type > 2 || this.buffer[1] !== 0 || this.buffer[2] !== 0 || this.buffer[3] !== 0) {
        throw new Error('the attach stream is not multiplexed (bad frame header)');
      }
      if (length > this.maxFrameBytes) throw new Error(`attach frame of ${length} bytes exceeds the limit`);
      if (this.buffer.length < 8 + length) break;
      const payload = this.buffer.subarray(8, 8 + length);
      this.buffer = this.buffer.subarray(8 + length);
      if (type === 2) this.onStderr(payload);
      else if (type === 1) this.onStdout(payload);
    }
  }
}

/** Splits a byte stream into lines (without the newline), with a cap on one line's length. */
export class LineSplitter {
  private parts: Buffer[] = [];
  private size = 0;
  private dropping = false;

  constructor(
    private readonly onLine: (line: string) => void,
    private readonly maxLineBytes: number,
    private readonly onOverflow: (bytes: number) => void = () => undefined,
  ) {}

  push(chunk: Buffer): void {
    let start = 0;
    for (;;) {
      const newline = chunk.indexOf(0x0a, start);
      if (newline === -1) {
        this.append(chunk.subarray(start));
        return;
      }
      this.append(chunk.subarray(start, newline));
      this.flush();
      start = newline + 1;
    }
  }

  private append(part: Buffer): void {
    if (part.length === 0) return;
    if (this.dropping) {
      this.size += part.length;
      return;
    }
    this.parts.push(part);
    this.size += part.length;
    if (this.size > this.maxLineBytes) {
      this.parts = [];
      this.dropping = true;
    }
  }

  private flush(): void {
    if (this.dropping) {
      this.onOverflow(this.size);
    } else if (this.size > 0) {
      const line = Buffer.concat(this.parts, this.size).toString('utf8').replace(/\r$/, '');
      if (line.trim() !== '') this.onLine(line);
    }
    this.parts = [];
    this.size = 0;
    this.dropping = false;
  }

  reset(): void {
    this.parts = [];
    this.size = 0;
    this.dropping = false;
  }
}
