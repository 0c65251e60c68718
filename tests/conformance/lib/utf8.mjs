// UTF-8 test sequences in the order and grouping of Autobahn's cases 6.5 to
// 6.23 (after Markus Kuhn's UTF-8 decoder stress test), and a strict
// incremental check (RFC 3629, Unicode table 3-7) that says at which byte a
// sequence stops being the start of well-formed UTF-8.

const hex = (s) => Buffer.from(s.replace(/\s+/g, ''), 'hex');
const ascii = (s) => Buffer.from(s, 'latin1');
const cat = (...parts) => Buffer.concat(parts.map((p) => (typeof p === 'string' ? hex(p) : p)));

// κόσμε, Greek "world": 11 bytes, code points of 2 and 3 bytes.
export const KOSME = hex('ce ba e1 bd b9 cf 83 ce bc ce b5');

// The first byte at which `bytes` can no longer be continued into
// well-formed UTF-8; `bytes.length` if it is a good start but ends inside a
// code point; -1 if it is well-formed.
export function failPoint(bytes) {
  let pending = 0;
  let low = 0x80;
  let high = 0xbf;
  for (let i = 0; i < bytes.length; i++) {
    const b = bytes[i];
    if (pending > 0) {
      if (b < low || b > high) return i;
      pending--;
      low = 0x80;
      high = 0xbf;
      continue;
    }
    if (b < 0x80) continue;
    if (b >= 0xc2 && b <= 0xdf) pending = 1;
    else if (b === 0xe0) (pending = 2), (low = 0xa0);
    else if (b === 0xed) (pending = 2), (high = 0x9f);
    else if (b >= 0xe1 && b <= 0xef) pending = 2;
    else if (b === 0xf0) (pending = 3), (low = 0x90);
    else if (b === 0xf4) (pending = 3), (high = 0x8f);
    else if (b >= 0xf1 && b <= 0xf3) pending = 3;
    else return i;
  }
  return pending > 0 ? bytes.length : -1;
}

function range(from, to) {
  const out = [];
  for (let b = from; b < to; b++) out.push(b);
  return out;
}

// [{ group: '6.5', title, sequences: [{ valid, bytes }] }]
export function utf8Groups() {
  const groups = [];
  const add = (title, sequences) => groups.push({ title, sequences });
  const v = (bytes) => ({ valid: true, bytes });
  const x = (bytes) => ({ valid: false, bytes });

  add('Some valid UTF-8 sequences', [
    v(ascii('hello$world')),
    v(cat(ascii('hello'), 'c2a2', ascii('world'))),
    v(cat(ascii('hello'), 'e282ac', ascii('world'))),
    v(cat(ascii('hello'), 'f0a4ada2', ascii('world'))),
    v(KOSME),
  ]);
  add(
    'All prefixes of a valid UTF-8 string that contains multi-byte code points',
    range(1, KOSME.length + 1).map((n) => ({ valid: failPoint(KOSME.subarray(0, n)) === -1, bytes: KOSME.subarray(0, n) })),
  );
  add('First possible sequence of a certain length', [v(hex('00')), v(hex('c280')), v(hex('e0a080')), v(hex('f0908080'))]);
  add('First possible sequence length 5/6 (invalid codepoints)', [x(hex('f888808080')), x(hex('fc8480808080'))]);
  add('Last possible sequence of a certain length', [v(hex('7f')), v(hex('dfbf')), v(hex('efbfbf')), v(hex('f48fbfbf'))]);
  add('Last possible sequence length 4/5/6 (invalid codepoints)', [x(hex('f7bfbfbf')), x(hex('fbbfbfbfbf')), x(hex('fdbfbfbfbfbf'))]);
  add('Other boundary conditions', [v(hex('ed9fbf')), v(hex('ee8080')), v(hex('efbfbd')), v(hex('f48fbfbf')), x(hex('f4908080'))]);
  add('Unexpected continuation bytes', [
    x(hex('80')),
    x(hex('bf')),
    x(hex('80bf')),
    x(hex('80bf80')),
    x(hex('80bf80bf')),
    x(hex('80bf80bf80')),
    x(hex('80bf80bf80bf')),
    x(Buffer.from(range(0x80, 0xbf))),
  ]);
  add(
    'Lonely start characters',
    [
      [0xc0, 0xdf],
      [0xe0, 0xef],
      [0xf0, 0xf7],
      [0xf8, 0xfb],
      [0xfc, 0xfd],
    ].map(([from, to]) => x(Buffer.from(range(from, to).flatMap((b) => [b, 0x20])))),
  );
  const missingLast = ['c0', 'e080', 'f08080', 'f8808080', 'fc80808080', 'df', 'efbf', 'f7bfbf', 'fbbfbfbf', 'fdbfbfbfbf'];
  add('Sequences with last continuation byte missing', missingLast.map((s) => x(hex(s))));
  add('Concatenation of incomplete sequences', [x(hex(missingLast.join('')))]);
  add('Impossible bytes', [x(hex('fe')), x(hex('ff')), x(hex('fefeffff'))]);
  add('Examples of an overlong ASCII character', ['c0af', 'e080af', 'f08080af', 'f8808080af', 'fc80808080af'].map((s) => x(hex(s))));
  add('Maximum overlong sequences', ['c1bf', 'e09fbf', 'f08fbfbf', 'f887bfbfbf', 'fc83bfbfbfbf'].map((s) => x(hex(s))));
  add('Overlong representation of the NUL character', ['c080', 'e08080', 'f0808080', 'f880808080', 'fc8080808080'].map((s) => x(hex(s))));
  add('Single UTF-16 surrogates', ['eda080', 'edadbf', 'edae80', 'edafbf', 'edb080', 'edbe80', 'edbfbf'].map((s) => x(hex(s))));
  const high = ['eda080', 'edadbf', 'edae80', 'edafbf'];
  add('Paired UTF-16 surrogates', high.flatMap((h) => ['edb080', 'edbfbf'].map((l) => x(hex(h + l)))));
  const nonCharacters = [v(hex('efbfbe')), v(hex('efbfbf'))];
  for (const lead of [0xf0, 0xf1, 0xf2, 0xf3, 0xf4]) {
    for (const second of [0x8f, 0x9f, 0xaf, 0xbf]) {
      if (lead === 0xf4 && second !== 0x8f) continue; // Past U+10FFFF.
      if (lead === 0xf0 && second === 0x8f) continue; // Overlong.
      for (const last of [0xbe, 0xbf]) nonCharacters.push(v(Buffer.from([lead, second, 0xbf, last])));
    }
  }
  add('Non-character code points (valid UTF-8)', nonCharacters);
  add('Unicode specials (i.e. replacement char)', range(0xb9, 0xc0).map((b) => v(Buffer.from([0xef, 0xbf, b]))));

  return groups.map((g, i) => ({ group: `6.${i + 5}`, ...g }));
}

// Throws if the table, our check and the platform's strict decoder disagree
// on any sequence: the expectations are then not to be trusted.
export function checkTable() {
  const decoder = new TextDecoder('utf-8', { fatal: true });
  for (const { group, sequences } of utf8Groups()) {
    sequences.forEach(({ valid, bytes }, i) => {
      let decodes = true;
      try {
        decoder.decode(bytes);
      } catch {
        decodes = false;
      }
      const ours = failPoint(bytes) === -1;
      if (ours !== valid || decodes !== valid)
        throw new Error(`${group}.${i + 1} (${bytes.toString('hex')}): table ${valid}, ours ${ours}, TextDecoder ${decodes}`);
    });
  }
}
