// Just enough ZIP for 3MF: read stored and deflated entries, write a new archive.
// Inflating and deflating use the browser's own (De)CompressionStream, so no zlib is shipped.

const EOCD = 0x06054b50;
const CENTRAL = 0x02014b50;
const LOCAL = 0x04034b50;

/** A readable ZIP problem; the page shows the message as it is. */
export class ZipError extends Error {
  constructor(message) {
    super(message);
    this.name = 'ZipError';
  }
}

/**
 * Lists the entries of a ZIP archive.
 * @param {Uint8Array} bytes
 * @returns {Map<string, {name: string, method: number, offset: number, compressedSize: number, size: number}>}
 *   keyed by the lower-cased name without a leading '/', because 3MF part names are
 *   case-insensitive and relationship targets start with '/'.
 */
export function listEntries(bytes) {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  // The end record sits in the last 22 + 65535 (comment) bytes.
  let eocd = -1;
  for (let i = bytes.length - 22; i >= Math.max(0, bytes.length - 22 - 65535); i--) {
    if (view.getUint32(i, true) === EOCD) { eocd = i; break; }
  }
  if (eocd < 0) throw new ZipError('not a ZIP archive (no end-of-directory record), so not a 3MF file');
  let count = view.getUint16(eocd + 10, true);
  let at = view.getUint32(eocd + 16, true);
  if ((at === 0xffffffff || count === 0xffff) && eocd >= 20 && view.getUint32(eocd - 20, true) === 0x07064b50) {
    // ZIP64 (written by some libraries even for small files): the real figures are in the ZIP64 end record.
    const end64 = Number(view.getBigUint64(eocd - 12, true));
    if (end64 + 56 > bytes.length || view.getUint32(end64, true) !== 0x06064b50) throw new ZipError('the ZIP64 end record is damaged');
    count = Number(view.getBigUint64(end64 + 32, true));
    at = Number(view.getBigUint64(end64 + 48, true));
  }
  const entries = new Map();
  const latin = new TextDecoder('utf-8');
  for (let n = 0; n < count; n++) {
    if (at + 46 > bytes.length || view.getUint32(at, true) !== CENTRAL) {
      throw new ZipError(`ZIP directory entry ${n + 1} of ${count} is damaged`);
    }
    const method = view.getUint16(at + 10, true);
    let compressedSize = view.getUint32(at + 20, true);
    let size = view.getUint32(at + 24, true);
    const nameLength = view.getUint16(at + 28, true);
    const extraLength = view.getUint16(at + 30, true);
    const commentLength = view.getUint16(at + 32, true);
    let offset = view.getUint32(at + 42, true);
    const name = latin.decode(bytes.subarray(at + 46, at + 46 + nameLength));
    if (size === 0xffffffff || compressedSize === 0xffffffff || offset === 0xffffffff) {
      // ZIP64 extra field (id 1): the 64-bit values of exactly the fields that read 0xffffffff, in order.
      let e = at + 46 + nameLength;
      const extraEnd = e + extraLength;
      while (e + 4 <= extraEnd) {
        const id = view.getUint16(e, true);
        const length = view.getUint16(e + 2, true);
        if (id === 1) {
          let f = e + 4;
          const next = () => { const v = Number(view.getBigUint64(f, true)); f += 8; return v; };
          if (size === 0xffffffff) size = next();
          if (compressedSize === 0xffffffff) compressedSize = next();
          if (offset === 0xffffffff) offset = next();
        }
        e += 4 + length;
      }
    }
    entries.set(name.replace(/^\/+/, '').toLowerCase(), { name, method, offset, compressedSize, size });
    at += 46 + nameLength + extraLength + commentLength;
  }
  return entries;
}

/** The uncompressed bytes of one entry (from `listEntries`). */
export async function readEntry(bytes, entry) {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (entry.offset + 30 > bytes.length || view.getUint32(entry.offset, true) !== LOCAL) {
    throw new ZipError(`ZIP entry ${entry.name} points outside the archive`);
  }
  const start = entry.offset + 30 + view.getUint16(entry.offset + 26, true) + view.getUint16(entry.offset + 28, true);
  const end = start + entry.compressedSize;
  if (end > bytes.length) throw new ZipError(`ZIP entry ${entry.name} is truncated (${bytes.length - start} of ${entry.compressedSize} bytes)`);
  const data = bytes.subarray(start, end);
  if (entry.method === 0) return data;
  if (entry.method !== 8) throw new ZipError(`ZIP entry ${entry.name} uses compression method ${entry.method}; only stored and deflate are supported`);
  try {
    const stream = new Blob([data]).stream().pipeThrough(new DecompressionStream('deflate-raw'));
    return new Uint8Array(await new Response(stream).arrayBuffer());
  } catch (error) {
    throw new ZipError(`ZIP entry ${entry.name} could not be inflated (${error.message})`);
  }
}

const CRC_TABLE = (() => {
  const t = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    t[n] = c >>> 0;
  }
  return t;
})();

/** CRC-32 of a list of byte arrays taken as one. */
export function crc32(chunks) {
  let c = 0xffffffff;
  for (const bytes of chunks) {
    for (let i = 0; i < bytes.length; i++) c = CRC_TABLE[(c ^ bytes[i]) & 0xff] ^ (c >>> 8);
  }
  return (c ^ 0xffffffff) >>> 0;
}

async function deflate(chunks) {
  const stream = new Blob(chunks).stream().pipeThrough(new CompressionStream('deflate-raw'));
  return new Uint8Array(await new Response(stream).arrayBuffer());
}

/**
 * Writes a ZIP archive.
 * @param {{name: string, chunks: Uint8Array[], deflate?: boolean}[]} files each file's
 *   content as a list of pieces, so a large model can be assembled without one more copy
 * @returns {Promise<Blob>}
 */
export async function writeZip(files) {
  const utf8 = new TextEncoder();
  const parts = [];
  const central = [];
  let offset = 0;
  for (const file of files) {
    const name = utf8.encode(file.name);
    const size = file.chunks.reduce((s, c) => s + c.length, 0);
    const crc = crc32(file.chunks);
    const body = file.deflate ? [await deflate(file.chunks)] : file.chunks;
    const compressedSize = body.reduce((s, c) => s + c.length, 0);
    const method = file.deflate ? 8 : 0;
    const local = new DataView(new ArrayBuffer(30));
    local.setUint32(0, LOCAL, true);
    local.setUint16(4, 20, true);
    local.setUint16(8, method, true);
    local.setUint16(12, 0x2821, true);   // 2000-01-01, like the engine's writer: same input, same bytes
    local.setUint32(14, crc, true);
    local.setUint32(18, compressedSize, true);
    local.setUint32(22, size, true);
    local.setUint16(26, name.length, true);
    parts.push(new Uint8Array(local.buffer), name, ...body);
    const entry = new DataView(new ArrayBuffer(46));
    entry.setUint32(0, CENTRAL, true);
    entry.setUint16(4, 20, true);
    entry.setUint16(6, 20, true);
    entry.setUint16(10, method, true);
    entry.setUint16(14, 0x2821, true);
    entry.setUint32(16, crc, true);
    entry.setUint32(20, compressedSize, true);
    entry.setUint32(24, size, true);
    entry.setUint16(28, name.length, true);
    entry.setUint32(42, offset, true);
    central.push(new Uint8Array(entry.buffer), name);
    offset += 30 + name.length + compressedSize;
  }
  const centralSize = central.reduce((s, c) => s + c.length, 0);
  const end = new DataView(new ArrayBuffer(22));
  end.setUint32(0, EOCD, true);
  end.setUint16(8, files.length, true);
  end.setUint16(10, files.length, true);
  end.setUint32(12, centralSize, true);
  end.setUint32(16, offset, true);
  return new Blob([...parts, ...central, new Uint8Array(end.buffer)], { type: 'model/3mf' });
}
