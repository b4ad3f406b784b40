import { createWriteStream } from 'node:fs';
import { once } from 'node:events';

/** A deterministic xorshift PRNG, so every run writes the same bytes. */
function rng(seed: number): () => number {
  let x = seed >>> 0 || 1;
  return () => {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    return (x >>> 0) / 4294967296;
  };
}

const ALPHABET = 'abcdefghijklmnopqrstuvwxyz0123456789 .,:;-_+=/()[]{}<>';

/**
 * A text file of `bytes` bytes in 80-byte lines ("%08d " + 70 printable + "\n"),
 * like build or log output: no escape sequences, nothing that looks like a marker.
 */
export async function writeTextFile(path: string, bytes: number): Promise<void> {
  const out = createWriteStream(path);
  const random = rng(42);
  const lineLength = 80;
  const lines = Math.floor(bytes / lineLength);
  let line = 0;
  while (line < lines) {
    const parts: string[] = [];
    for (let i = 0; i < 8192 && line < lines; i++, line++) {
      let body = '';
      for (let c = 0; c < 70; c++) body += ALPHABET[Math.floor(random() * ALPHABET.length)];
      parts.push(`${String(line).padStart(8, '0')} ${body}\n`);
    }
    if (!out.write(parts.join(''))) await once(out, 'drain');
  }
  out.end();
  await once(out, 'finish');
}

/** `count` lines of ~100 visible characters with SGR colours, like a coloured build log. */
export async function writeColouredLines(path: string, count: number): Promise<void> {
  const out = createWriteStream(path);
  const random = rng(7);
  const parts: string[] = [];
  for (let i = 0; i < count; i++) {
    let body = '';
    for (let c = 0; c < 80; c++) body += ALPHABET[Math.floor(random() * ALPHABET.length)];
    parts.push(`\x1b[1;3${i % 8}m${String(i + 1).padStart(6, '0')}\x1b[0m \x1b[3${(i + 3) % 8}m${body}\x1b[0m line-${i + 1}\n`);
  }
  out.write(parts.join(''));
  out.end();
  await once(out, 'finish');
}
