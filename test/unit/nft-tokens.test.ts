/** The nft tokenizer (src/core/rules/nft/tokens.ts) against a plain character-by-character reading. */
import { strict as assert } from 'node:assert';
import { test } from 'node:test';
import { tokenize } from '../../src/core/rules/nft/tokens';

/** The obvious reading: blanks separate, "..." is one token (backslash escapes), {},; stand alone, # ends the line. */
function reference(line: string): { text: string; quoted: boolean }[] {
  const out: { text: string; quoted: boolean }[] = [];
  let i = 0;
  while (i < line.length) {
    const c = line[i]!;
    if (c === ' ' || c === '\t' || c === '\r') i++;
    else if (c === '"') {
      let j = i + 1;
      let text = '';
      while (j < line.length && line[j] !== '"') {
        if (line[j] === '\\' && j + 1 < line.length) j++;
        text += line[j];
        j++;
      }
      out.push({ text, quoted: true });
      i = j + 1;
    } else if ('{},;'.includes(c)) {
      out.push({ text: c, quoted: false });
      i++;
    } else if (c === '#') break;
    else {
      let j = i;
      while (j < line.length && !' \t\r"{},;'.includes(line[j]!)) j++;
      out.push({ text: line.slice(i, j), quoted: false });
      i = j;
    }
  }
  return out;
}

test('nft tokens: kube-proxy lines', () => {
  assert.deepEqual(
    tokenize('ip daddr 10.96.0.1 tcp dport 80 comment "ns/svc:http cluster IP" jump service-ULMVA6XW-ns/svc/tcp/http # handle 12'),
    ['ip', 'daddr', '10.96.0.1', 'tcp', 'dport', '80', 'comment', 'ns/svc:http cluster IP', 'jump', 'service-ULMVA6XW-ns/svc/tcp/http'].map((text, i) => ({ text, quoted: i === 7 })),
  );
  assert.deepEqual(tokenize('elements = { 10.96.0.1 . tcp . 80 : goto x,};').map((t) => t.text), ['elements', '=', '{', '10.96.0.1', '.', 'tcp', '.', '80', ':', 'goto', 'x', ',', '}', ';']);
  assert.deepEqual(tokenize('comment "a \\"b\\" \\\\ c"'), [{ text: 'comment', quoted: false }, { text: 'a "b" \\ c', quoted: true }]);
  assert.deepEqual(tokenize('"open'), [{ text: 'open', quoted: true }]);
  assert.deepEqual(tokenize('"ends with \\'), [{ text: 'ends with \\', quoted: true }]);
  assert.deepEqual(tokenize('a#b # rest'), [{ text: 'a#b', quoted: false }]);
});

test('nft tokens: random lines read as the reference reads them', () => {
  const alphabet = ['a', 'b', '1', '.', ':', '/', '-', ' ', '\t', '\r', '"', '\\', '{', '}', ',', ';', '#', 'é', '\u2028'];
  let seed = 7;
  const rand = (n: number) => ((seed = (seed * 1103515245 + 12345) >>> 0) % n);
  for (let k = 0; k < 5000; k++) {
    let line = '';
    for (let m = rand(40); m > 0; m--) line += alphabet[rand(alphabet.length)];
    assert.deepEqual(tokenize(line), reference(line), JSON.stringify(line));
  }
});
