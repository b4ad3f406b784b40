import type { ComponentChild } from 'preact';
import { lookup, type MessageKey } from './catalog.ts';
import { locale } from './locale.ts';

/**
 * A message with markup in it: each `{name}` becomes the matching node (a link,
 * a <code>…), so translators move whole phrases, never sentence fragments.
 *
 *   <Rich k="notFound.body" values={{ path: <code>{path}</code> }} />
 */
export function Rich({ k, values }: { k: MessageKey; values: Readonly<Record<string, ComponentChild>> }) {
  return <>{richParts(lookup(locale.value, k), values)}</>;
}

export function richParts(text: string, values: Readonly<Record<string, ComponentChild>>): ComponentChild[] {
  const parts: ComponentChild[] = [];
  let last = 0;
  for (const match of text.matchAll(/\{(\w+)\}/g)) {
    const name = match[1]!;
    if (!(name in values)) continue;
    if (match.index > last) parts.push(text.slice(last, match.index));
    parts.push(values[name]);
    last = match.index + match[0].length;
  }
  if (last < text.length) parts.push(text.slice(last));
  return parts;
}
