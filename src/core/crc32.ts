/**
 * CRC-32 (IEEE 802.3, as in zlib, PNG and Python's `zlib.crc32`): reflected polynomial
 * 0xEDB88320, initial value 0xFFFFFFFF, final XOR 0xFFFFFFFF. Slicing-by-8 (eight 256-entry
 * tables, eight bytes per step): the checksum of a 100 MB ratings file must not cost more
 * than reading it.
 */

let tables: Uint32Array | undefined;

function crcTables(): Uint32Array {
  if (tables) return tables;
  const t = new Uint32Array(8 * 256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let b = 0; b < 8; b++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    t[n] = c >>> 0;
  }
  for (let n = 0; n < 256; n++) {
    for (let k = 1; k < 8; k++) t[k * 256 + n] = (t[(k - 1) * 256 + n]! >>> 8) ^ t[t[(k - 1) * 256 + n]! & 0xff]!;
  }
  tables = t;
  return t;
}

/**
 * CRC-32 of bytes[start, end); crc32(ascii "123456789") = 0xCBF43926. `previous` continues a running
 * checksum (zlib's crc32(prev, …)): crc32(b, m, e, crc32(b, s, m)) = crc32(b, s, e).
 */
export function crc32(bytes: Uint8Array, start = 0, end = bytes.length, previous = 0): number {
  const t = crcTables();
  let c = (previous ^ 0xffffffff) >>> 0;
  let i = start;
  for (; i + 8 <= end; i += 8) {
    const a = c ^ (bytes[i]! | (bytes[i + 1]! << 8) | (bytes[i + 2]! << 16) | (bytes[i + 3]! << 24));
    c =
      t[1792 + (a & 0xff)]! ^
      t[1536 + ((a >>> 8) & 0xff)]! ^
      t[1280 + ((a >>> 16) & 0xff)]! ^
      t[1024 + (a >>> 24)]! ^
      t[768 + bytes[i + 4]!]! ^
      t[512 + bytes[i + 5]!]! ^
      t[256 + bytes[i + 6]!]! ^
      t[bytes[i + 7]!]!;
  }
  for (; i < end; i++) c = t[(c ^ bytes[i]!) & 0xff]! ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}
