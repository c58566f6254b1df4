import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { HOSTILE_CASES } from '../fixtures/hostile/cases';

/**
 * Every line of the hostile corpus a JSON reader could meet as one record: each line of its JSON, JSON
 * Lines and NDJSON files, and of the JSON Lines files its cases generate, with a trailing CR removed (as
 * the JSON Lines reader removes it). `where` names the file or case and the line.
 */
export const hostileLines = (): { readonly where: string; readonly text: string }[] => {
  const root = join(__dirname, '..', 'fixtures', 'hostile', 'files');
  const texts: { where: string; text: string }[] = [];
  for (const name of readdirSync(root).filter((file) => /\.(jsonl|json|ndjson)$/.test(file))) {
    const content = readFileSync(join(root, name), 'utf8');
    for (const [index, line] of content.split('\n').entries()) {
      texts.push({ where: `${name}:${index + 1}`, text: line.replace(/\r$/, '') });
    }
  }
  for (const hostile of HOSTILE_CASES) {
    if (!hostile.generate || !/\.(jsonl|ndjson)$/.test(hostile.key ?? hostile.name)) continue;
    for (const [index, line] of hostile.generate().toString('utf8').split('\n').entries()) {
      texts.push({ where: `${hostile.name}:${index + 1}`, text: line.replace(/\r$/, '') });
    }
  }
  return texts;
};
