// vitrine.js: loads vitrine.wasm (Vitrine's geometry core built with Embedded Swift) and
// wraps its C ABI in a few friendly calls. Works in browsers and in node (>= 18).
//
//   import { loadVitrine } from './vitrine.js';
//   const vitrine = await loadVitrine();              // fetches ./vitrine.wasm next to this file
//   const mesh = vitrine.parse(bytes, 'ogre.stl');     // bytes: Uint8Array | ArrayBuffer
//   mesh.triangleCount; mesh.analyze().volume;         // numbers in the file's units (mm for minis)
//   gl.bufferData(..., mesh.positions());              // Float32Array view into wasm memory
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
  return new Vitrine(module, await WebAssembly.instantiate(module, {}));
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
  }

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
   * @returns {Mesh}
   * @throws {VitrineError} with the parser's message when the file cannot be read
   */
  parse(bytes, name = '') {
    const data = bytes instanceof Uint8Array ? bytes : new Uint8Array(bytes);
    const dot = name.lastIndexOf('.');
    const ext = utf8Encoder.encode(dot >= 0 ? name.slice(dot + 1) : name);
    const handle = this.call(() => {
      const dataPtr = this.alloc(data.length);
      const extPtr = this.alloc(ext.length);
      try {
        new Uint8Array(this.memory.buffer, dataPtr, data.length).set(data);
        new Uint8Array(this.memory.buffer, extPtr, ext.length).set(ext);
        return this.exports.vitrine_parse(dataPtr, data.length, extPtr, ext.length);
      } finally {
        this.exports.vitrine_free(extPtr);
        this.exports.vitrine_free(dataPtr);
      }
    });
    if (handle === 0) throw new VitrineError(this.lastError() || 'could not read the mesh');
    return new Mesh(this, handle);
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

  /** Frees the mesh inside wasm; views from `positions()`/`indices()` become invalid. */
  release() {
    if (!this.handle) return;
    this.vitrine.call(() => this.vitrine.exports.vitrine_mesh_release(this.handle));
    this.handle = 0;
  }
}
