// A seeded, deterministic generator of malformed DICOM files made from real ones (issue 7: "a
// generated fuzz corpus of at least 2,000 mutations of real files"). Each mutation is one kind of
// damage seen in the wild or in hostile files: truncation, bit flips, huge element lengths, bad
// VRs, absurd Rows/Columns/Number of Frames. Mutations are made in memory; the caller decides
// where (if anywhere) they are written. Nothing generated here is ever committed.

import { mulberry32 } from '../seeded-random';

export type MutationKind = 'truncate' | 'bit-flip' | 'huge-length' | 'bad-vr' | 'absurd-size';

export interface Mutation {
  name: string;
  kind: MutationKind;
  bytes: Uint8Array;
}

const KINDS: MutationKind[] = ['truncate', 'bit-flip', 'huge-length', 'bad-vr', 'absurd-size'];

/** Offsets of explicit-VR element headers (a plausible tag followed by two upper-case letters). */
function explicitHeaders(b: Uint8Array): number[] {
  const out: number[] = [];
  for (let p = 0; p + 8 <= b.length; p += 2) {
    const v0 = b[p + 4]!;
    const v1 = b[p + 5]!;
    if (v0 >= 0x41 && v0 <= 0x5a && v1 >= 0x41 && v1 <= 0x5a && b[p + 1] === 0x00 && (b[p] === 0x08 || b[p] === 0x10 || b[p] === 0x18 || b[p] === 0x20 || b[p] === 0x28 || b[p] === 0x02)) {
      out.push(p);
    }
  }
  return out;
}

/** Offsets of the value of a tag (group, element) in LE explicit or implicit encoding, found by its bytes. */
function tagValueOffsets(b: Uint8Array, group: number, element: number): number[] {
  const out: number[] = [];
  for (let p = 0; p + 8 <= b.length; p++) {
    if (b[p] === (group & 0xff) && b[p + 1] === group >> 8 && b[p + 2] === (element & 0xff) && b[p + 3] === element >> 8) {
      out.push(p + 8); // short explicit VR and implicit VR both put the value 8 bytes on
    }
  }
  return out;
}

function mutate(seed: Uint8Array, kind: MutationKind, rnd: () => number): Uint8Array {
  const pick = (n: number) => Math.floor(rnd() * n);
  switch (kind) {
    case 'truncate':
      // Bias towards the header, where most parsing decisions are made.
      return seed.slice(0, rnd() < 0.6 ? pick(Math.min(seed.length, 2048)) : pick(seed.length));
    case 'bit-flip': {
      const out = seed.slice();
      const flips = 1 + pick(8);
      const headerBias = rnd() < 0.7;
      for (let i = 0; i < flips; i++) {
        const at = headerBias ? pick(Math.min(out.length, 4096)) : pick(out.length);
        out[at]! ^= 1 << pick(8);
      }
      return out;
    }
    case 'huge-length': {
      const out = seed.slice();
      const headers = explicitHeaders(out);
      const lengths = [0xffffffff, 0xfffffffe, 0x7fffffff, 0x80000000, 0x10000000, out.length + 1, 0xffff];
      const value = lengths[pick(lengths.length)]!;
      const at = headers.length ? headers[pick(headers.length)]! : 132 + 2 * pick(Math.max(1, (out.length - 140) / 2));
      const view = new DataView(out.buffer, out.byteOffset, out.byteLength);
      // Long-form VRs keep their length at +8 (4 bytes), short ones at +6 (2 bytes).
      if (at + 12 <= out.length && rnd() < 0.5) view.setUint32(at + 8, value >>> 0, true);
      else if (at + 8 <= out.length) view.setUint16(at + 6, value & 0xffff, true);
      return out;
    }
    case 'bad-vr': {
      const out = seed.slice();
      const headers = explicitHeaders(out);
      if (!headers.length) return mutate(seed, 'bit-flip', rnd);
      const vrs = ['ZZ', 'SQ', 'UN', 'OB', 'OW', 'UT', '\0\0', 'xx', 'US', 'FD', 'AT'];
      const times = 1 + pick(3);
      for (let i = 0; i < times; i++) {
        const at = headers[pick(headers.length)]!;
        const vr = vrs[pick(vrs.length)]!;
        out[at + 4] = vr.charCodeAt(0);
        out[at + 5] = vr.charCodeAt(1);
      }
      return out;
    }
    case 'absurd-size': {
      const out = seed.slice();
      const targets = [
        ...tagValueOffsets(out, 0x0028, 0x0010).map((o) => ({ o, size: 2 })),
        ...tagValueOffsets(out, 0x0028, 0x0011).map((o) => ({ o, size: 2 })),
        ...tagValueOffsets(out, 0x0028, 0x0100).map((o) => ({ o, size: 2 })),
        ...tagValueOffsets(out, 0x0028, 0x0008).map((o) => ({ o, size: 0 })),
      ];
      if (!targets.length) return mutate(seed, 'truncate', rnd);
      const t = targets[pick(targets.length)]!;
      if (t.o + 2 > out.length) return out;
      if (t.size === 2) {
        const values = [0xffff, 0, 1, 0x8000, 46341, 65535];
        const value = values[pick(values.length)]!;
        const view = new DataView(out.buffer, out.byteOffset, out.byteLength);
        view.setUint16(t.o, value, true);
        // Half the time both Rows and Columns: the "65535 × 65535" headers of hostile files.
        if (rnd() < 0.5) {
          for (const o of [...tagValueOffsets(out, 0x0028, 0x0010), ...tagValueOffsets(out, 0x0028, 0x0011)]) if (o + 2 <= out.length) view.setUint16(o, value, true);
        }
      } else {
        // Number of Frames is an IS string: overwrite its digits with nines (same length, huge count).
        for (let k = t.o; k < Math.min(out.length, t.o + 8) && out[k]! >= 0x30 && out[k]! <= 0x39; k++) out[k] = 0x39;
      }
      return out;
    }
  }
}

/**
 * `count` mutations spread over the seed files in turn, kinds in turn, all from one seed number:
 * the same arguments always give the same bytes.
 */
export function* fuzzCorpus(seeds: { name: string; bytes: Uint8Array }[], count: number, seed = 20260521): Generator<Mutation> {
  const rnd = mulberry32(seed);
  for (let i = 0; i < count; i++) {
    const source = seeds[i % seeds.length]!;
    const kind = KINDS[Math.floor(i / seeds.length) % KINDS.length]!;
    yield { name: `${String(i).padStart(5, '0')}-${kind}-${source.name}`, kind, bytes: mutate(source.bytes, kind, rnd) };
  }
}
