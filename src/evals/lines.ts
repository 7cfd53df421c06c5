import { createReadStream } from 'node:fs';

/** One line of a file: its text and where it sits (byte offset and length, newline excluded). */
export interface ResultLine {
  text: string;
  offset: number;
  length: number;
}

/**
 * The lines of a file, one at a time, as they are read from disk in 64 KB chunks: the file is never one
 * string, so a results file of any size reads in constant memory (Node caps a string near 512 MB).
 */
export async function* readLines(file: string): AsyncGenerator<ResultLine> {
  let pending: Buffer[] = [];
  let pendingBytes = 0;
  let offset = 0;
  const stream = createReadStream(file, { highWaterMark: 64 * 1024 });
  for await (const chunk of stream as AsyncIterable<Buffer>) {
    let from = 0;
    for (let at = chunk.indexOf(0x0a); at >= 0; at = chunk.indexOf(0x0a, from)) {
      const piece = chunk.subarray(from, at);
      const line = pendingBytes ? Buffer.concat([...pending, piece]) : piece;
      yield { text: line.toString('utf8'), offset, length: line.length };
      offset += line.length + 1;
      pending = [];
      pendingBytes = 0;
      from = at + 1;
    }
    if (from < chunk.length) {
      // Copied: the stream may reuse its chunk's memory.
      pending.push(Buffer.from(chunk.subarray(from)));
      pendingBytes += chunk.length - from;
    }
  }
  if (pendingBytes) {
    const line = Buffer.concat(pending);
    yield { text: line.toString('utf8'), offset, length: line.length };
  }
}
