// vitrine.js: loads vitrine.wasm (Vitrine's geometry core built with Embedded Swift) and
// wraps its C ABI in a few friendly calls. Works in browsers and in node (>= 18).
//
//   import { loadVitrine } from './vitrine.js';
//   const vitrine = await loadVitrine();              // fetches ./vitrine.wasm next to this file
//   const mesh = vitrine.parse(bytes, 'ogre.stl');     // bytes: Uint8Array | ArrayBuffer
//   mesh.triangleCount; mesh.analyze().volume;         // numbers in the file's units (mm for minis)
//   gl.bufferData(..., mesh.positions());              // Float32Array view into wasm memory
//   const kase = mesh.generateCase({ clearance: 0.4 }, (f) => bar.value = f);
//   kase.parts[0].positions; kase.threeMF;            // case halves (mm) and a 3MF file to save
//   mesh.generateCase({ style: 'lid', magnets: '6x2', label: 'Wyrmling', mark: 'TRIAL' });
//   vitrine.generateTray([meshA, meshB], { resolution: 0.2 }, onProgress);   // several minis, one case
//   mesh.release();                                    // frees the mesh inside wasm
//
// Nothing leaves the machine: the file is parsed inside this page's wasm instance.
//
// ## The wasm exports (all i32 unless noted; pointers must be read as unsigned: `>>> 0`)
//   vitrine_alloc(size) -> ptr                  malloc inside wasm (0 when out of memory)
//   vitrine_free(ptr)                           free; null and unknown pointers are ignored
//   vitrine_realloc(ptr, size) -> ptr           realloc (grows in place when it can)
//   vitrine_aligned_alloc(align, size) -> ptr   aligned_alloc (align: power of two)
//   vitrine_heap_stats(outPtr)                  6 x u32: heapBytes, usedBytes, freeBytes,
//                                               largestFreeBytes, freeChunks, growCount
//   vitrine_parse(ptr, len, extPtr, extLen) -> handle   0 on failure, see last_error
//   vitrine_parse_triangles(…)                 as vitrine_parse, binary STL not welded
//   vitrine_last_error_ptr() / _len()           UTF-8 message of the last failure
//   vitrine_mesh_triangle_count(h) / _vertex_count(h) / _source_vertex_count(h)
//   vitrine_mesh_format(h)                      1 stl-binary, 2 stl-ascii, 3 obj, 4 ply
//   vitrine_mesh_positions_ptr(h)               3 x f32 per vertex, until release
//   vitrine_mesh_indices_ptr(h)                 3 x u32 per triangle (CCW from outside)
//   vitrine_analysis_slots() -> n               number of f64 slots analyze writes
//   vitrine_analyze(h, outPtr) -> 1|0           writes n f64 at outPtr (layout: ANALYSIS_SLOTS)
//   vitrine_unit_reason_ptr(h) / _len(h)        UTF-8 reason of the unit guess (after analyze)
//   vitrine_mesh_release(h) -> 1|0              frees the mesh
//   vitrine_mesh_live_count() -> n              meshes not yet released
//   vitrine_case_option_slots() -> n            f64 slots of the case options record (CASE_OPTION_SLOTS):
//                                               style (0 clamshell, 1 lid, 2 tray), clearance, wall,
//                                               resolution, pins, partingOffset (NaN auto), fingerNotch,
//                                               upAxis (UP_AXES index), scale, layout (0 assembled,
//                                               1 plate), magnetDiameter, magnetHeight (NaN = none),
//                                               labelPtr, labelLength, markPtr, markLength (UTF-8 in
//                                               wasm memory; 0, 0 = none)
//   vitrine_case_generate(h, optionsPtr) -> case handle, 0 on failure (see last_error)
//   vitrine_case_generate_tray(handlesPtr, count, optionsPtr) -> case handle   count i32 mesh
//                                               handles at handlesPtr, packed in one case (style 2)
//   vitrine_case_part_count(c)                  parts (front, back; base, lid)
//   vitrine_case_part_vertex_count(c, i) / _triangle_count(c, i)
//   vitrine_case_part_positions_ptr(c, i) / _indices_ptr(c, i)   f32 mm / u32 CCW, until release
//   vitrine_case_part_name_ptr(c, i) / _len(c, i)                UTF-8 part name
//   vitrine_case_part_extraction(c, i, outPtr)  3 x f32 unit vector the mini leaves the part along
//   vitrine_case_resolution(c) -> f32           grid cell size used, mm
//   vitrine_case_warning_count(c), vitrine_case_warning_ptr(c, i) / _len(c, i)
//   vitrine_case_3mf(c) -> ptr, vitrine_case_3mf_len(c)   stored-zip 3MF of all parts (mm)
//   vitrine_case_release(c), vitrine_case_live_count()
// ## The wasm imports
//   env.vitrine_progress(f32)                   called during vitrine_case_generate(_tray) with 0…1
// Memory only grows (wasm cannot shrink it), but freed blocks are coalesced and reused, so
// parsing and releasing the same file again does not grow it.

/** Order of the f64 record written by `vitrine_analyze` (mirrors Sources/GeometryWasm/AnalysisLayout.swift). */
export const ANALYSIS_SLOTS = Object.freeze([
  'minX', 'minY', 'minZ', 'maxX', 'maxY', 'maxZ', 'sizeX', 'sizeY', 'sizeZ',
  'area', 'volume', 'watertight', 'boundaryEdges', 'nonManifoldEdges', 'inconsistentEdges',
  'components', 'degenerateTriangles', 'duplicateTriangles', 'insideOutComponents',
  'triangles', 'vertices', 'sourceVertices', 'unit',
]);

/** Format names by `vitrine_mesh_format` code (the native CLI's `format` strings). */
export const FORMATS = Object.freeze([null, 'stl-binary', 'stl-ascii', 'obj', 'ply']);

/** Unit symbols by code (Swift `LengthUnit.allCases` order). */
export const UNITS = Object.freeze(['um', 'mm', 'cm', 'm', 'in', 'ft']);

/** Order of the f64 options record `vitrine_case_generate` reads (mirrors Sources/GeometryWasm/CaseExports.swift). */
export const CASE_OPTION_SLOTS = Object.freeze([
  'style', 'clearance', 'wall', 'resolution', 'pins', 'partingOffset', 'fingerNotch', 'upAxis', 'scale', 'layout',
  'magnetDiameter', 'magnetHeight', 'labelPtr', 'labelLength', 'markPtr', 'markLength',
]);

/** Up-axis codes of the options record. */
export const UP_AXES = Object.freeze(['z', 'y', 'x', '-z', '-y', '-x']);

/** A parse failure or misuse; `message` is one readable line. */
export class VitrineError extends Error {
  constructor(message) {
    super(message);
    this.name = 'VitrineError';
  }
}

const utf8 = new TextDecoder('utf-8');
const utf8Encoder = new TextEncoder();
const isNode = typeof process !== 'undefined' && !!process.versions?.node;

async function loadBytes(source) {
  if (source instanceof Uint8Array) return source;
  if (source instanceof ArrayBuffer) return new Uint8Array(source);
  const url = source instanceof URL ? source : new URL(String(source), isNode ? `file://${process.cwd()}/` : globalThis.location?.href);
  if (isNode && url.protocol === 'file:') {
    const { readFile } = await import('node:fs/promises');
    return new Uint8Array(await readFile(url));
  }
  const response = await fetch(url);
  if (!response.ok) throw new VitrineError(`could not load ${url}: HTTP ${response.status}`);
  return new Uint8Array(await response.arrayBuffer());
}

/**
 * Loads and instantiates vitrine.wasm.
 * @param {string|URL|ArrayBuffer|Uint8Array|WebAssembly.Module} [source] defaults to
 *   `vitrine.wasm` next to this module.
 * @returns {Promise<Vitrine>}
 */
export async function loadVitrine(source = new URL('./vitrine.wasm', import.meta.url)) {
  const module = source instanceof WebAssembly.Module
    ? source
    : await WebAssembly.compile(await loadBytes(source));
  // Asynchronous instantiation: browsers refuse synchronous `new WebAssembly.Instance` of
  // larger modules on the main thread.
  // The instance calls back into JS for progress; the Vitrine object routes it to whoever
  // is generating right now (set before instantiation finishes, so use a box).
  const box = { target: null };
  const imports = { env: { vitrine_progress: (f) => box.target?.reportProgress(f) } };
  const vitrine = new Vitrine(module, await WebAssembly.instantiate(module, imports));
  box.target = vitrine;
  return vitrine;
}

/** One instance of the wasm module with its own memory and mesh table. */
export class Vitrine {
  /**
   * @param {WebAssembly.Module} module
   * @param {WebAssembly.Instance} instance an instance of `module` (use `loadVitrine`)
   */
  constructor(module, instance) {
    this.module = module;
    this.instance = instance;
    this.exports = this.instance.exports;
    this.memory = this.exports.memory;
    this.broken = null;
    this.slotCount = this.exports.vitrine_analysis_slots();
    this.progressHandler = null;
  }

  /** @private Called by the imported `env.vitrine_progress`. */
  reportProgress(fraction) {
    // An exception thrown back into wasm would abandon Swift mid-call: keep it out.
    try { this.progressHandler?.(fraction); } catch (error) { console.error(error); }
  }

  /** Generated cases not yet released (each `generateCase` releases its own). */
  get liveCases() { return this.call(() => this.exports.vitrine_case_live_count()); }

  /** Bytes of linear memory right now (it only grows). */
  get memoryBytes() { return this.memory.buffer.byteLength; }

  /** Meshes parsed and not yet released. */
  get liveMeshes() { return this.call(() => this.exports.vitrine_mesh_live_count()); }

  /** The allocator's figures: heapBytes, usedBytes, freeBytes, largestFreeBytes, freeChunks, growCount. */
  heapStats() {
    return this.withBuffer(24, (ptr) => {
      this.exports.vitrine_heap_stats(ptr);
      const v = new Uint32Array(this.memory.buffer, ptr, 6);
      return { heapBytes: v[0], usedBytes: v[1], freeBytes: v[2], largestFreeBytes: v[3], freeChunks: v[4], growCount: v[5] };
    });
  }

  /**
   * Parses a mesh file (binary/ASCII STL, OBJ, PLY; detected by content).
   * @param {Uint8Array|ArrayBuffer} bytes the file's bytes (copied into wasm, not kept)
   * @param {string} [name] file name or extension, a hint when the content is ambiguous
   * @param {{weld?: boolean}} [options] `weld: false` keeps a binary STL's three vertices per
   *   facet (much faster; enough for case generation, not for topology checks)
   * @returns {Mesh}
   * @throws {VitrineError} with the parser's message when the file cannot be read
   */
  parse(bytes, name = '', { weld = true } = {}) {
    const data = bytes instanceof Uint8Array ? bytes : new Uint8Array(bytes);
    const dot = name.lastIndexOf('.');
    const ext = utf8Encoder.encode(dot >= 0 ? name.slice(dot + 1) : name);
    const handle = this.call(() => {
      const dataPtr = this.alloc(data.length);
      const extPtr = this.alloc(ext.length);
      try {
        new Uint8Array(this.memory.buffer, dataPtr, data.length).set(data);
        new Uint8Array(this.memory.buffer, extPtr, ext.length).set(ext);
        const read = weld ? this.exports.vitrine_parse : this.exports.vitrine_parse_triangles;
        return read(dataPtr, data.length, extPtr, ext.length);
      } finally {
        this.exports.vitrine_free(extPtr);
        this.exports.vitrine_free(dataPtr);
      }
    });
    if (handle === 0) throw new VitrineError(this.lastError() || 'could not read the mesh');
    return new Mesh(this, handle);
  }

  /**
   * Packs several minis into one clamshell case, each in its own cavity (the CLI's
   * `vitrine case a.stl b.stl --style tray`). The minis keep their order; the engine places
   * them side by side, so in the `assembled` layout the parts lie around the packed minis, not
   * around each file's own coordinates. `scale` and `up` apply to every mini.
   * @param {Mesh[]} meshes 1…64 meshes parsed by this instance
   * @param {object} [options] as `Mesh.generateCase` (style, if given, must be 'tray')
   * @param {(fraction: number) => void} [onProgress]
   * @returns the same result as `Mesh.generateCase` (parts 'front' and 'back')
   * @throws {VitrineError} with the engine's message
   */
  generateTray(meshes, options = {}, onProgress = undefined) {
    if (!Array.isArray(meshes) || meshes.length === 0) throw new VitrineError('a tray needs at least one mesh');
    for (const [i, m] of meshes.entries()) {
      if (!(m instanceof Mesh) || m.vitrine !== this) throw new VitrineError(`mini ${i + 1} is not a mesh parsed by this Vitrine instance`);
      m.checkLive();
    }
    if ((options.style ?? 'tray') !== 'tray') throw new VitrineError(`generateTray makes the tray style, not '${options.style}'`);
    return runCase(this, meshes, { ...options, style: 'tray' }, onProgress);
  }

  /** The message of the last failed call ('' when none). */
  lastError() {
    const ptr = this.exports.vitrine_last_error_ptr() >>> 0;
    const len = this.exports.vitrine_last_error_len();
    return ptr && len > 0 ? utf8.decode(new Uint8Array(this.memory.buffer, ptr, len)) : '';
  }

  /** @private Allocates `n` bytes inside wasm (at least 1), throwing when memory is exhausted. */
  alloc(n) {
    const ptr = this.exports.vitrine_alloc(Math.max(n, 1)) >>> 0;
    if (ptr === 0) throw new VitrineError(`out of wasm memory allocating ${n} bytes`);
    return ptr;
  }

  /** @private Runs `fn` with an n-byte scratch buffer inside wasm. */
  withBuffer(n, fn) {
    return this.call(() => {
      const ptr = this.alloc(n);
      try { return fn(ptr); } finally { this.exports.vitrine_free(ptr); }
    });
  }

  /**
   * @private Calls into wasm. A trap (out of memory inside Swift, a bug) leaves the
   * instance in an unknown state, so it is marked broken and every later call fails
   * with the same message; load a new instance to continue.
   */
  call(fn) {
    if (this.broken) throw new VitrineError(this.broken);
    try {
      return fn();
    } catch (error) {
      if (error instanceof WebAssembly.RuntimeError) {
        this.broken = `vitrine.wasm stopped (${error.message}); the file may be too large for browser memory. Reload to continue.`;
        throw new VitrineError(this.broken);
      }
      throw error;
    }
  }
}

/** Style codes of the options record, by name. */
export const CASE_STYLES = Object.freeze(['clamshell', 'lid', 'tray']);

/** `'6x2'`, `{diameter: 6, height: 2}` or nothing → [diameter, height] in mm (NaN, NaN = none). */
function magnetSize(magnets) {
  if (magnets === undefined || magnets === null || magnets === false || magnets === '') return [NaN, NaN];
  if (typeof magnets === 'string') {
    const m = /^\s*(\d+(?:\.\d*)?|\.\d+)\s*[x×]\s*(\d+(?:\.\d*)?|\.\d+)\s*(?:mm)?\s*$/i.exec(magnets);
    if (m) return [Number(m[1]), Number(m[2])];
  } else if (typeof magnets === 'object' && typeof magnets.diameter === 'number' && typeof magnets.height === 'number'
    && !Number.isNaN(magnets.diameter) && !Number.isNaN(magnets.height)) {
    return [magnets.diameter, magnets.height];
  }
  throw new VitrineError(`magnets must look like '6x2' (diameter x height, mm) or {diameter, height}, got ${
    typeof magnets === 'string' ? `'${magnets}'` : JSON.stringify(magnets)}`);
}

/** Label or mark text → UTF-8 bytes, or null for none (the engine checks length and glyphs). */
function engravingText(name, text) {
  if (text === undefined || text === null) return null;
  if (typeof text !== 'string') throw new VitrineError(`${name} must be a string, got ${typeof text}`);
  return utf8Encoder.encode(text);
}

/**
 * Runs the engine on `meshes` (one, or several for a tray) with `options` as documented at
 * `Mesh.generateCase`, copies the parts out and releases the case.
 */
function runCase(v, meshes, options, onProgress) {
  const e = v.exports;
  const styleName = options.style ?? 'clamshell';
  const style = CASE_STYLES.indexOf(styleName);
  if (style < 0) throw new VitrineError(`unknown case style '${styleName}': use ${CASE_STYLES.map((s) => `'${s}'`).join(', ')}`);
  const up = UP_AXES.indexOf(options.up ?? 'z');
  if (up < 0) throw new VitrineError(`unknown up axis '${options.up}': use one of ${UP_AXES.join(', ')}`);
  const layout = { assembled: 0, plate: 1 }[options.layout ?? 'plate'];
  if (layout === undefined) throw new VitrineError(`unknown layout '${options.layout}': use 'plate' or 'assembled'`);
  const [magnetDiameter, magnetHeight] = magnetSize(options.magnets);
  const label = engravingText('label', options.label);
  const mark = engravingText('mark', options.mark);
  const values = {
    style, clearance: options.clearance ?? 0.4, wall: options.wall ?? 2, resolution: options.resolution ?? 0.1,
    pins: options.pins ?? 4, partingOffset: options.partingOffset ?? NaN, fingerNotch: (options.fingerNotch ?? true) ? 1 : 0,
    upAxis: up, scale: options.scale ?? 1, layout, magnetDiameter, magnetHeight,
    labelPtr: 0, labelLength: 0, markPtr: 0, markLength: 0,
  };
  const n = e.vitrine_case_option_slots();
  const wanted = [
    ['magnets', !Number.isNaN(magnetDiameter), 'magnetDiameter'], ['label', label, 'labelPtr'], ['mark', mark, 'markPtr'],
  ];
  for (const [name, given, slot] of wanted) {
    if (given && CASE_OPTION_SLOTS.indexOf(slot) >= n) {
      throw new VitrineError(`this vitrine.wasm is older than vitrine.js and has no ${name} option; rebuild it (scripts/build-wasm.sh)`);
    }
  }
  const handle = v.call(() => {
    // Every buffer the record points at lives until the engine returns.
    const owned = [];
    const take = (bytes) => {
      const ptr = v.alloc(bytes.length);
      owned.push(ptr);
      new Uint8Array(v.memory.buffer, ptr, bytes.length).set(bytes);
      return ptr;
    };
    try {
      if (label) { values.labelPtr = take(label); values.labelLength = label.length; }
      if (mark) { values.markPtr = take(mark); values.markLength = mark.length; }
      const record = v.alloc(n * 8);
      owned.push(record);
      let handles = 0;
      if (meshes.length > 1 || style === 2) {
        handles = v.alloc(meshes.length * 4);
        owned.push(handles);
        new Int32Array(v.memory.buffer, handles, meshes.length).set(meshes.map((m) => m.handle));
      }
      const f = new Float64Array(v.memory.buffer, record, n);
      // Slots this vitrine.js does not know (a newer wasm) stay NaN: "not given".
      f.fill(NaN);
      CASE_OPTION_SLOTS.forEach((name, i) => { if (i < n) f[i] = Number(values[name]); });
      v.progressHandler = onProgress ?? null;
      try {
        return handles
          ? e.vitrine_case_generate_tray(handles, meshes.length, record)
          : e.vitrine_case_generate(meshes[0].handle, record);
      } finally {
        v.progressHandler = null;
      }
    } finally {
      for (const ptr of owned) e.vitrine_free(ptr);
    }
  });
  if (handle === 0) throw new VitrineError(v.lastError() || 'could not generate a case');
  try {
    return v.call(() => {
      const text = (ptr, len) => (ptr && len > 0 ? utf8.decode(new Uint8Array(v.memory.buffer, ptr, len)) : '');
      const threeMFPtr = e.vitrine_case_3mf(handle) >>> 0;  // may grow memory: before any view
      const threeMF = new Uint8Array(v.memory.buffer, threeMFPtr, e.vitrine_case_3mf_len(handle)).slice();
      const parts = [];
      const count = e.vitrine_case_part_count(handle);
      for (let i = 0; i < count; i++) {
        const vertices = e.vitrine_case_part_vertex_count(handle, i);
        const triangles = e.vitrine_case_part_triangle_count(handle, i);
        const extraction = v.withBuffer(12, (ptr) => {
          e.vitrine_case_part_extraction(handle, i, ptr);
          return Array.from(new Float32Array(v.memory.buffer, ptr, 3));
        });
        const pPtr = e.vitrine_case_part_positions_ptr(handle, i) >>> 0;
        const iPtr = e.vitrine_case_part_indices_ptr(handle, i) >>> 0;
        parts.push({
          name: text(e.vitrine_case_part_name_ptr(handle, i) >>> 0, e.vitrine_case_part_name_len(handle, i)),
          positions: new Float32Array(v.memory.buffer, pPtr, pPtr ? vertices * 3 : 0).slice(),
          indices: new Uint32Array(v.memory.buffer, iPtr, iPtr ? triangles * 3 : 0).slice(),
          extraction,
        });
      }
      const warnings = [];
      for (let i = 0; i < e.vitrine_case_warning_count(handle); i++) {
        warnings.push(text(e.vitrine_case_warning_ptr(handle, i) >>> 0, e.vitrine_case_warning_len(handle, i)));
      }
      return { parts, threeMF, resolution: e.vitrine_case_resolution(handle), warnings };
    });
  } finally {
    if (!v.broken) e.vitrine_case_release(handle);
  }
}

/** A parsed mesh living inside a Vitrine instance's memory until `release()`. */
export class Mesh {
  constructor(vitrine, handle) {
    this.vitrine = vitrine;
    this.handle = handle;
    const e = vitrine.exports;
    this.triangleCount = e.vitrine_mesh_triangle_count(handle);
    this.vertexCount = e.vitrine_mesh_vertex_count(handle);
    this.sourceVertexCount = e.vitrine_mesh_source_vertex_count(handle);
    this.format = FORMATS[e.vitrine_mesh_format(handle)] ?? null;
  }

  checkLive() {
    if (!this.handle) throw new VitrineError('mesh already released');
  }

  /**
   * Vertex positions (x, y, z per vertex, Float32, file units) as a view into wasm memory.
   * The view is valid until the next call into the module (memory may grow and detach
   * it); use `.slice()` to keep a copy.
   */
  positions() {
    this.checkLive();
    const ptr = this.vitrine.exports.vitrine_mesh_positions_ptr(this.handle) >>> 0;
    return new Float32Array(this.vitrine.memory.buffer, ptr, ptr ? this.vertexCount * 3 : 0);
  }

  /** Triangle vertex indices (3 per triangle, counter-clockwise from outside); same validity as `positions()`. */
  indices() {
    this.checkLive();
    const ptr = this.vitrine.exports.vitrine_mesh_indices_ptr(this.handle) >>> 0;
    return new Uint32Array(this.vitrine.memory.buffer, ptr, ptr ? this.triangleCount * 3 : 0);
  }

  /**
   * Topology and measurements, in the file's units: bounds {min,max}, size, area, volume
   * (signed), watertight, boundaryEdges, nonManifoldEdges, inconsistentEdges, components,
   * degenerateTriangles, duplicateTriangles, insideOutComponents, triangles, vertices,
   * sourceVertices, unitGuess {unit, reason}.
   */
  analyze() {
    this.checkLive();
    const v = this.vitrine;
    const n = v.slotCount;
    return v.withBuffer(n * 8, (ptr) => {
      if (v.exports.vitrine_analyze(this.handle, ptr) !== 1) throw new VitrineError(v.lastError());
      const f = new Float64Array(v.memory.buffer, ptr, n);
      const r = {};
      ANALYSIS_SLOTS.forEach((name, i) => { if (i < n) r[name] = f[i]; });
      const reasonPtr = v.exports.vitrine_unit_reason_ptr(this.handle) >>> 0;
      const reasonLen = v.exports.vitrine_unit_reason_len(this.handle);
      const reason = reasonPtr && reasonLen ? utf8.decode(new Uint8Array(v.memory.buffer, reasonPtr, reasonLen)) : '';
      return {
        triangles: r.triangles, vertices: r.vertices, sourceVertices: r.sourceVertices,
        bounds: { min: [r.minX, r.minY, r.minZ], max: [r.maxX, r.maxY, r.maxZ] },
        size: [r.sizeX, r.sizeY, r.sizeZ],
        area: r.area, volume: r.volume, watertight: r.watertight === 1,
        boundaryEdges: r.boundaryEdges, nonManifoldEdges: r.nonManifoldEdges,
        inconsistentEdges: r.inconsistentEdges, components: r.components,
        degenerateTriangles: r.degenerateTriangles, duplicateTriangles: r.duplicateTriangles,
        insideOutComponents: r.insideOutComponents,
        unitGuess: { unit: UNITS[r.unit] ?? null, reason },
      };
    });
  }

  /**
   * Generates a printable case around this mesh, inside wasm (nothing is uploaded).
   * Runs synchronously (seconds for a detailed mini at 0.1 mm: call it from a Worker to keep
   * a page responsive); memory used for the case is freed before it returns.
   *
   * @param {object} [options]
   * @param {'clamshell'|'lid'|'tray'} [options.style='clamshell'] clamshell: front and back
   *   halves; lid: a base holding the mini's own base and a lid over it (parts 'base', 'lid');
   *   tray: a clamshell with one cavity per mini (here one; see `Vitrine.generateTray`)
   * @param {number} [options.clearance=0.4] smallest gap between mini and case, mm (0…5)
   * @param {number} [options.wall=2] thinnest wall, mm (0.8…20)
   * @param {number} [options.resolution=0.1] grid cell, mm (coarsened for big minis; see `resolution`)
   * @param {number} [options.pins=4] registration pins (0…4)
   * @param {number|null} [options.partingOffset=null] parting plane, mm from the mini's front; null = automatic
   * @param {boolean} [options.fingerNotch=true]
   * @param {string|{diameter: number, height: number}|null} [options.magnets=null] magnet
   *   pockets flush in both parting faces, e.g. '6x2' (diameter x height, mm; 1…20 x 0.5…10)
   * @param {string|null} [options.label=null] text engraved across the back, sized to fit
   *   (printable ASCII, 1…64 characters)
   * @param {string|null} [options.mark=null] small text (3 mm tall) engraved in a corner of the
   *   back, e.g. a trial mark (printable ASCII, 1…64 characters)
   * @param {'z'|'y'|'x'|'-z'|'-y'|'-x'} [options.up='z'] the file's up axis
   * @param {number} [options.scale=1] millimetres per file unit (e.g. 25.4 for inches; use
   *   `analyze().unitGuess` to decide)
   * @param {'plate'|'assembled'} [options.layout='plate'] plate: each part flat on the bed,
   *   parting face up, side by side (what to print); assembled: parts around the mini in the
   *   file's axes, in mm (what to show with the mini)
   * @param {(fraction: number) => void} [onProgress] called with increasing fractions, last 1
   * @returns {{parts: {name: string, positions: Float32Array, indices: Uint32Array,
   *   extraction: number[]}[], threeMF: Uint8Array, resolution: number, warnings: string[]}}
   *   copies (not views): positions in mm, indices CCW from outside; `threeMF` is a 3MF
   *   file of all parts (stored zip, millimetres) ready to save.
   * @throws {VitrineError} with the engine's message (e.g. "clearance 9 mm is out of range…")
   */
  generateCase(options = {}, onProgress = undefined) {
    this.checkLive();
    return runCase(this.vitrine, [this], options, onProgress);
  }

  /** Frees the mesh inside wasm; views from `positions()`/`indices()` become invalid. */
  release() {
    if (!this.handle) return;
    this.vitrine.call(() => this.vitrine.exports.vitrine_mesh_release(this.handle));
    this.handle = 0;
  }
}
