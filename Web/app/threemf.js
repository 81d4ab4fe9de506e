// 3MF in the browser: read a model's triangles (every build item, components, transforms,
// units to mm) and re-place the engine's case 3MF on the print bed.
import { listEntries, readEntry, writeZip, ZipError } from './zip.js';
import { IDENTITY, compose } from './geometry.js';

/** Millimetres per 3MF unit (3MF core spec, `unit` attribute of <model>). */
export const UNIT_MM = Object.freeze({ micron: 0.001, millimeter: 1, centimeter: 10, inch: 25.4, foot: 304.8, meter: 1000 });

const MODEL_REL = 'http://schemas.microsoft.com/3dmanufacturing/2013/01/3dmodel';
const utf8 = new TextDecoder('utf-8');

function attributes(text) {
  const out = {};
  const re = /([\w:.-]+)\s*=\s*(?:"([^"]*)"|'([^']*)')/g;
  let m;
  while ((m = re.exec(text))) {
    // Extension attributes (p:path, …) are read by their local name.
    const key = m[1].startsWith('xmlns') ? m[1] : m[1].split(':').pop();
    out[key.toLowerCase()] = m[2] ?? m[3];
  }
  return out;
}

/** A 3MF transform attribute (12 numbers, row-vector convention) in geometry.js order. */
function parseTransform(text, where) {
  if (!text) return IDENTITY;
  const v = text.trim().split(/\s+/).map(Number);
  if (v.length !== 12 || v.some((x) => !Number.isFinite(x))) throw new ZipError(`${where} has a malformed transform "${text}" (12 numbers expected)`);
  // 3MF: x' = x*m00 + y*m10 + z*m20 + m30, listed m00 m01 m02 m10 …: each group of three is
  // where one input axis goes, which is a column of geometry.js's layout.
  return v;
}

/** Objects of one model file: meshes (positions, triangles) and components. */
function parseModel(text, path) {
  const objects = new Map();
  const build = [];
  let unit = 'millimeter';
  let object = null;
  let positions = null;
  let triangles = null;
  const tag = /<\s*(\/?)\s*(?:[\w.-]+:)?([\w.-]+)([^>]*?)(\/?)\s*>/g;
  let m;
  while ((m = tag.exec(text))) {
    const [, closing, name, rest] = m;
    if (closing) {
      if (name === 'object' && object) {
        if (positions) object.positions = Float64Array.from(positions);
        if (triangles) object.triangles = Uint32Array.from(triangles);
        positions = triangles = null;
        object = null;
      }
      continue;
    }
    switch (name) {
      case 'vertex': {
        // Hot path (millions of tags): pick the three numbers without a general attribute parse.
        const x = /\bx\s*=\s*"([^"]*)"/.exec(rest), y = /\by\s*=\s*"([^"]*)"/.exec(rest), z = /\bz\s*=\s*"([^"]*)"/.exec(rest);
        if (!positions || !x || !y || !z) throw new ZipError(`${path}: a <vertex> outside a mesh or without x, y and z`);
        positions.push(+x[1], +y[1], +z[1]);
        break;
      }
      case 'triangle': {
        const a = /\bv1\s*=\s*"(\d+)"/.exec(rest), b = /\bv2\s*=\s*"(\d+)"/.exec(rest), c = /\bv3\s*=\s*"(\d+)"/.exec(rest);
        if (!triangles || !a || !b || !c) throw new ZipError(`${path}: a <triangle> outside a mesh or without v1, v2 and v3`);
        triangles.push(+a[1], +b[1], +c[1]);
        break;
      }
      case 'model': unit = (attributes(rest).unit || 'millimeter').toLowerCase(); break;
      case 'object': {
        const a = attributes(rest);
        object = { id: a.id, positions: null, triangles: null, components: [] };
        objects.set(a.id, object);
        break;
      }
      case 'mesh': positions = []; triangles = []; break;
      case 'component': {
        const a = attributes(rest);
        if (!object) throw new ZipError(`${path}: a <component> outside an object`);
        object.components.push({ objectid: a.objectid, path: a.path, transform: parseTransform(a.transform, `${path}: component of object ${object.id}`) });
        break;
      }
      case 'item': {
        const a = attributes(rest);
        build.push({ objectid: a.objectid, path: a.path, transform: parseTransform(a.transform, `${path}: build item for object ${a.objectid}`) });
        break;
      }
      default: break;
    }
  }
  if (!(unit in UNIT_MM)) throw new ZipError(`${path} declares unit="${unit}", which 3MF does not define`);
  return { objects, build, unit };
}

/**
 * Reads a 3MF file: every build item with its components and transforms, in millimetres.
 * @param {Uint8Array} bytes
 * @returns {Promise<{soup: Float32Array, unit: string, items: number, triangles: number}>}
 *   soup: 9 floats (three corners) per triangle, in mm
 */
export async function read3MF(bytes) {
  const entries = listEntries(bytes);
  const text = async (path) => {
    const entry = entries.get(path.replace(/^\/+/, '').toLowerCase());
    if (!entry) return null;
    return utf8.decode(await readEntry(bytes, entry));
  };
  let root = '3D/3dmodel.model';
  const rels = await text('_rels/.rels');
  if (rels) {
    for (const m of rels.matchAll(/<\s*(?:\w+:)?Relationship\b([^>]*)>/g)) {
      const a = attributes(m[1]);
      if (a.type === MODEL_REL && a.target) root = a.target;
    }
  }
  const models = new Map();
  const model = async (path) => {
    const key = path.replace(/^\/+/, '').toLowerCase();
    if (!models.has(key)) {
      const xml = await text(key);
      if (xml === null) throw new ZipError(`the 3MF has no model part ${path}`);
      models.set(key, parseModel(xml, path));
    }
    return models.get(key);
  };
  const main = await model(root);
  const scale = UNIT_MM[main.unit];
  const chunks = [];
  let total = 0;
  const emit = async (objectid, path, transform, depth) => {
    if (depth > 32) throw new ZipError(`the 3MF's components nest deeper than 32 levels (a cycle through object ${objectid}?)`);
    const owner = await model(path);
    const object = owner.objects.get(objectid);
    if (!object) throw new ZipError(`the 3MF refers to object ${objectid}, which ${path} does not define`);
    if (object.triangles) {
      const { positions, triangles } = object;
      const vertexCount = positions.length / 3;
      const out = new Float32Array(triangles.length * 3);
      const m = transform;
      for (let t = 0; t < triangles.length; t++) {
        const v = triangles[t];
        if (v >= vertexCount) throw new ZipError(`object ${objectid} triangle ${Math.floor(t / 3) + 1} uses vertex ${v}, but the object has ${vertexCount} vertices`);
        const x = positions[3 * v], y = positions[3 * v + 1], z = positions[3 * v + 2];
        out[3 * t] = (m[0] * x + m[3] * y + m[6] * z + m[9]) * scale;
        out[3 * t + 1] = (m[1] * x + m[4] * y + m[7] * z + m[10]) * scale;
        out[3 * t + 2] = (m[2] * x + m[5] * y + m[8] * z + m[11]) * scale;
      }
      chunks.push(out);
      total += out.length;
    }
    for (const c of object.components) await emit(c.objectid, c.path || path, compose(transform, c.transform), depth + 1);
  };
  for (const item of main.build) await emit(item.objectid, item.path || root, item.transform, 0);
  if (total === 0) throw new ZipError('the 3MF\'s build holds no triangles');
  const soup = new Float32Array(total);
  let at = 0;
  for (const c of chunks) { soup.set(c, at); at += c.length; }
  return { soup, unit: main.unit, items: main.build.length, triangles: total / 9 };
}

const ascii = new TextEncoder();
function indexOf(bytes, needle, from, to) {
  const first = needle[0];
  outer: for (let i = from; i <= to - needle.length; i++) {
    if (bytes[i] !== first) continue;
    for (let k = 1; k < needle.length; k++) if (bytes[i + k] !== needle[k]) continue outer;
    return i;
  }
  return -1;
}
function lastIndexOf(bytes, needle, from) {
  for (let i = bytes.length - needle.length; i >= from; i--) {
    let k = 0;
    while (k < needle.length && bytes[i + k] === needle[k]) k++;
    if (k === needle.length) return i;
  }
  return -1;
}
const escapeXML = (s) => s.replace(/[<>&"]/g, (c) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;', '"': '&quot;' })[c]);

/**
 * The engine's case 3MF with its parts placed by `transforms` (as build-item transforms, so
 * the engine's own mesh XML is reused byte for byte) and the model part deflated.
 * @param {Uint8Array} engine3MF what `generateCase` returned
 * @param {number[][]} transforms one per build item, in item order
 * @param {{title?: string, mark?: boolean|string}} [meta]
 * @returns {Promise<Blob>}
 */
export async function place3MF(engine3MF, transforms, meta = {}) {
  const entries = listEntries(engine3MF);
  const files = [];
  for (const entry of entries.values()) {
    const data = await readEntry(engine3MF, entry);
    if (!/^\/?3d\/3dmodel\.model$/i.test(entry.name)) {
      files.push({ name: entry.name, chunks: [data] });
      continue;
    }
    const head = indexOf(data, ascii.encode('<model'), 0, Math.min(data.length, 4096));
    const headEnd = head < 0 ? -1 : data.indexOf(0x3e, head) + 1;
    const build = lastIndexOf(data, ascii.encode('<build'), Math.max(0, data.length - 65536));
    if (headEnd <= 0 || build < 0) throw new ZipError('the engine\'s 3MF has no <model> or <build> where expected');
    const items = [...utf8.decode(data.subarray(build)).matchAll(/<item\b[^>]*objectid="(\d+)"[^>]*\/>/g)].map((m) => m[1]);
    if (items.length !== transforms.length) throw new ZipError(`the engine's 3MF has ${items.length} build items for ${transforms.length} parts`);
    const fmt = (x) => (Math.abs(x) < 1e-9 ? '0' : String(Math.round(x * 1e6) / 1e6));
    const newBuild = ' <build>\n' + items.map((id, i) => `  <item objectid="${id}" transform="${transforms[i].map(fmt).join(' ')}"/>\n`).join('') + ' </build>\n</model>\n';
    let metadata = '';
    if (meta.title) metadata += `\n <metadata name="Title">${escapeXML(meta.title)}</metadata>`;
    metadata += '\n <metadata name="Application">Vitrine (in the browser)</metadata>';
    // Trial cases carry the engraved mark (the lid style has no engraved face); the file says so
    // too, for slicers and for lids (a well-known metadata name: prefixed names would need a
    // declared namespace).
    if (meta.mark) metadata += '\n <metadata name="Description">Made with a Vitrine trial license (trial mark).</metadata>';
    files.push({
      name: entry.name,
      chunks: [data.subarray(0, headEnd), ascii.encode(metadata), data.subarray(headEnd, build), ascii.encode(newBuild)],
      deflate: true,
    });
  }
  return writeZip(files);
}
