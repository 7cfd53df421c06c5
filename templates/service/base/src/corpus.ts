import { createHash } from 'node:crypto';
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import type { ChunkingConfig } from './config.js';
import { ServiceError } from './errors.js';
import { estimateTokens } from './providers/index.js';
import { paragraphs, sentences } from './text.js';

export interface CorpusFile {
  /** The file name, e.g. export-csv.md. */
  name: string;
  content: string;
}

export interface CorpusDocument {
  /** The file name without .md: what citations and eval datasets refer to. */
  id: string;
  title: string;
  body: string;
  sha256: string;
}

/** The corpus's markdown files, sorted by name so that every machine sees the same order. */
export async function readCorpusFiles(dir: string): Promise<CorpusFile[]> {
  let names: string[];
  try {
    names = (await readdir(dir)).filter((name) => name.endsWith('.md')).sort();
  } catch {
    throw new ServiceError(
      'no_corpus',
      `cannot read the corpus folder ${dir}`,
      'create it with one markdown file per document, or pass another folder',
    );
  }
  if (names.length === 0) {
    throw new ServiceError(
      'no_corpus',
      `no .md files in ${dir}`,
      'add markdown documents with a `title:` in their front matter',
    );
  }
  return Promise.all(names.map(async (name) => ({ name, content: await readFile(path.join(dir, name), 'utf8') })));
}

/** Front matter `title:` and the body after it. */
export function parseDocument(file: CorpusFile): CorpusDocument {
  const content = file.content.replace(/^\uFEFF/, '');
  const match = /^---\r?\n([\s\S]*?)\r?\n---[ \t]*(?:\r?\n|$)/.exec(content);
  const title = match?.[1]
    ?.split(/\r?\n/)
    .map((line) => /^title:\s*(.*)$/.exec(line)?.[1]?.trim())
    .find((value) => value)
    ?.replace(/^(["'])(.*)\1$/, '$2');
  if (!match || !title) {
    throw new ServiceError(
      'invalid_document',
      `${file.name}:1 has no front matter with a title`,
      'start the file with ---, a line title: Your title, and ---',
    );
  }
  return {
    id: file.name.replace(/\.md$/, ''),
    title,
    body: content.slice(match[0].length).trim(),
    sha256: createHash('sha256').update(file.content).digest('hex'),
  };
}

/**
 * Paragraph chunks of about `chunkSize` tokens. A paragraph longer than that is cut at sentences; the
 * last sentences of a chunk, up to `chunkOverlap` tokens, start the next one so that no fact is split
 * from its context.
 */
export function chunkText(body: string, { chunkSize, chunkOverlap }: ChunkingConfig): string[] {
  const units = paragraphs(body).flatMap((p) => (estimateTokens(p) > chunkSize ? sentences(p) : [p]));
  const chunks: string[] = [];
  let current: string[] = [];
  let carried = 0;
  const size = (parts: string[]) => estimateTokens(parts.join('\n\n'));

  for (const unit of units) {
    if (current.length > carried && size([...current, unit]) > chunkSize) {
      chunks.push(current.join('\n\n'));
      const tail: string[] = [];
      for (const sentence of sentences(current.join('\n\n')).reverse()) {
        if (size([sentence, ...tail]) > chunkOverlap) break;
        tail.unshift(sentence);
      }
      current = tail.length > 0 ? [tail.join(' ')] : [];
      carried = current.length;
    }
    // Overlap that would push a unit past the size is dropped rather than emitted on its own.
    if (current.length === carried && carried > 0 && size([...current, unit]) > chunkSize) {
      current = [];
      carried = 0;
    }
    current.push(unit);
  }
  if (current.length > carried) chunks.push(current.join('\n\n'));
  return chunks;
}

/**
 * The snapshot id: sha256 of everything that decides the chunks and their vectors. The same corpus,
 * model and chunking always give the same id; any change gives a new one.
 */
export function snapshotId(
  files: CorpusFile[],
  embeddingModel: string,
  dimensions: number,
  chunking: ChunkingConfig,
): string {
  const hash = createHash('sha256');
  const field = (value: string) => hash.update(`${value.length}:${value}\n`);
  for (const file of [...files].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))) {
    field(file.name);
    field(file.content);
  }
  field(embeddingModel);
  field(String(dimensions));
  field(`chunkSize=${chunking.chunkSize},chunkOverlap=${chunking.chunkOverlap}`);
  return hash.digest('hex');
}
