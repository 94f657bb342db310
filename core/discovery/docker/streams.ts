// The engine's multiplexed attach stream (used when the container has no TTY), split into its
// stdout and stderr bytes. Lines are framed afterwards by the one bounded framer every backend path
// uses (LineFramer, core/backends/inbound-limits.ts).

/**
 * Splits the engine's multiplexed attach stream: frames of an 8-byte header (stream type: 1 stdout,
 * 2 stderr; bytes 4-7 the payload length, big-endian) followed by the payload. A payload is handed
 * on piece by piece as it arrives: nothing of it is held here (a frame is never joined into one
 * buffer), so what a container writes is bounded only where it is framed into messages.
 */
export class StreamDemuxer {
  private readonly header = Buffer.alloc(8);
  private headerBytes = 0;
  /** Payload bytes of the current frame still to come, and where they go. */
  private remaining = 0;
  private target: ((chunk: Buffer) => void) | undefined;

  constructor(
    private readonly onStdout: (chunk: Buffer) => void,
    private readonly onStderr: (chunk: Buffer) => void,
  ) {}

  /** Feeds bytes; throws when the stream is not a multiplexed stream. */
  push(chunk: Buffer): void {
    let at = 0;
    while (at < chunk.length) {
      if (this.remaining > 0) {
        const take = Math.min(this.remaining, chunk.length - at);
        const piece = chunk.subarray(at, at + take);
        this.remaining -= take;
        at += take;
        this.target?.(piece);
        continue;
      }
      const take = Math.min(8 - this.headerBytes, chunk.length - at);
      chunk.copy(this.header, this.headerBytes, at, at + take);
      this.headerBytes += take;
      at += take;
      if (this.headerBytes < 8) return;
      this.headerBytes = 0;
      const h = this.header;
      if (h[0]! > 2 || h[1] !== 0 || h[2] !== 0 || h[3] !== 0) {
        throw new Error('the attach stream is not multiplexed (bad frame header)');
      }
      this.remaining = h.readUInt32BE(4);
      this.target = h[0] === 1 ? this.onStdout : h[0] === 2 ? this.onStderr : undefined;
    }
  }
}
