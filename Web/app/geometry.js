// Placement math shared by the worker (3MF, STL) and the viewer, so the file you download
// and the plate you see are the same layout.
//
// An affine transform is 12 numbers in 3MF order: the three columns of the rotation, then
// the translation (x' = m[0]x + m[3]y + m[6]z + m[9], …). Padded with zeros and a 1 it is
// also a column-major WebGL mat4.

export const IDENTITY = Object.freeze([1, 0, 0, 0, 1, 0, 0, 0, 1, 0, 0, 0]);
export const UP_AXES = Object.freeze(['z', 'y', 'x', '-z', '-y', '-x']);

/** Rows of the rotation taking the file's up axis to +z (as CaseBridge.upTransform in the engine). */
const UP_ROWS = [
  [[1, 0, 0], [0, 1, 0], [0, 0, 1]],
  [[1, 0, 0], [0, 0, -1], [0, 1, 0]],
  [[0, 0, -1], [0, 1, 0], [1, 0, 0]],
  [[1, 0, 0], [0, -1, 0], [0, 0, -1]],
  [[1, 0, 0], [0, 0, 1], [0, -1, 0]],
  [[0, 0, 1], [0, 1, 0], [-1, 0, 0]],
];

function fromRows(r, t = [0, 0, 0]) {
  return [r[0][0], r[1][0], r[2][0], r[0][1], r[1][1], r[2][1], r[0][2], r[1][2], r[2][2], t[0], t[1], t[2]];
}

/** The transform turning a file whose up axis is `up` ('z', '-y', …) to z-up, scaled by `scale`. */
export function upTransform(up, scale = 1) {
  const rows = UP_ROWS[Math.max(0, UP_AXES.indexOf(up))];
  return fromRows(rows.map((row) => row.map((v) => v * scale)));
}

/** a after b: (a ∘ b)(p) = a(b(p)). */
export function compose(a, b) {
  const out = new Array(12);
  for (let c = 0; c < 3; c++) {
    for (let r = 0; r < 3; r++) out[c * 3 + r] = a[r] * b[c * 3] + a[3 + r] * b[c * 3 + 1] + a[6 + r] * b[c * 3 + 2];
  }
  for (let r = 0; r < 3; r++) out[9 + r] = a[r] * b[9] + a[3 + r] * b[10] + a[6 + r] * b[11] + a[9 + r];
  return out;
}

export function apply(m, x, y, z) {
  return [m[0] * x + m[3] * y + m[6] * z + m[9], m[1] * x + m[4] * y + m[7] * z + m[10], m[2] * x + m[5] * y + m[8] * z + m[11]];
}

export function applyDirection(m, [x, y, z]) {
  return [m[0] * x + m[3] * y + m[6] * z, m[1] * x + m[4] * y + m[7] * z, m[2] * x + m[5] * y + m[8] * z];
}

export function translation(x, y, z) { return [1, 0, 0, 0, 1, 0, 0, 0, 1, x, y, z]; }

/** Axis-aligned bounds of a bounding box after a transform (exact for the axis-permuting rotations used here). */
export function transformBounds(m, { min, max }) {
  const lo = [Infinity, Infinity, Infinity];
  const hi = [-Infinity, -Infinity, -Infinity];
  for (let i = 0; i < 8; i++) {
    const p = apply(m, i & 1 ? max[0] : min[0], i & 2 ? max[1] : min[1], i & 4 ? max[2] : min[2]);
    for (let k = 0; k < 3; k++) { lo[k] = Math.min(lo[k], p[k]); hi[k] = Math.max(hi[k], p[k]); }
  }
  return { min: lo, max: hi };
}

/** Bounds of flat xyz positions. */
export function boundsOf(positions) {
  const min = [Infinity, Infinity, Infinity];
  const max = [-Infinity, -Infinity, -Infinity];
  for (let i = 0; i < positions.length; i += 3) {
    for (let k = 0; k < 3; k++) {
      const v = positions[i + k];
      if (v < min[k]) min[k] = v;
      if (v > max[k]) max[k] = v;
    }
  }
  return { min, max };
}

/**
 * Where each part goes on the print bed, from the parts in the file's axes (the engine's
 * `assembled` layout): the same placement as the engine's `plate` layout (CaseBridge.layFlat):
 * turned so the parting face is up, resting on z = 0, side by side along x 5 mm apart.
 * Generating once and placing here saves running the engine a second time for the plate.
 * @param {{bounds: {min: number[], max: number[]}, extraction: number[]}[]} parts
 * @param {string} up the file's up axis
 * @returns {number[][]} one transform per part
 */
export function plateTransforms(parts, up) {
  const toEngine = upTransform(up);
  let x = 0;
  return parts.map((part) => {
    const e = applyDirection(toEngine, part.extraction);
    // As the engine's `layFlat`: the lid style's +z needs no turn and its -z turns over
    // about x; the clamshell's and tray's ±y turn a quarter about x.
    const turn = e[2] > 0.5
      ? IDENTITY
      : e[2] < -0.5
        ? fromRows([[1, 0, 0], [0, -1, 0], [0, 0, -1]])
        : e[1] > 0
          ? fromRows([[1, 0, 0], [0, 0, -1], [0, 1, 0]])
          : fromRows([[1, 0, 0], [0, 0, 1], [0, -1, 0]]);
    const turned = compose(turn, toEngine);
    const b = transformBounds(turned, part.bounds);
    const placed = compose(translation(x - b.min[0], -b.min[1], -b.min[2]), turned);
    x += b.max[0] - b.min[0] + 5;
    return placed;
  });
}

/**
 * A binary STL of an indexed mesh placed by `m` (millimetres).
 * @returns {Uint8Array}
 */
export function binarySTL(positions, indices, m = IDENTITY, header = 'Vitrine case part (mm)') {
  const count = indices.length / 3;
  const out = new Uint8Array(84 + 50 * count);
  out.set(new TextEncoder().encode(header).subarray(0, 80));
  const view = new DataView(out.buffer);
  view.setUint32(80, count, true);
  let at = 84;
  for (let t = 0; t < indices.length; t += 3) {
    const a = indices[t] * 3, b = indices[t + 1] * 3, c = indices[t + 2] * 3;
    const p = apply(m, positions[a], positions[a + 1], positions[a + 2]);
    const q = apply(m, positions[b], positions[b + 1], positions[b + 2]);
    const r = apply(m, positions[c], positions[c + 1], positions[c + 2]);
    const ux = q[0] - p[0], uy = q[1] - p[1], uz = q[2] - p[2];
    const vx = r[0] - p[0], vy = r[1] - p[1], vz = r[2] - p[2];
    let nx = uy * vz - uz * vy, ny = uz * vx - ux * vz, nz = ux * vy - uy * vx;
    const len = Math.hypot(nx, ny, nz) || 1;
    nx /= len; ny /= len; nz /= len;
    for (const v of [nx, ny, nz, ...p, ...q, ...r]) { view.setFloat32(at, v, true); at += 4; }
    at += 2;  // attribute byte count: 0
  }
  return out;
}

/** A binary STL of a triangle soup (9 floats per triangle), used to hand 3MF contents to the engine. */
export function soupSTL(soup) {
  const count = soup.length / 9;
  const out = new Uint8Array(84 + 50 * count);
  const view = new DataView(out.buffer);
  view.setUint32(80, count, true);
  for (let t = 0; t < count; t++) {
    const at = 84 + 50 * t + 12;  // normals stay zero: readers recompute them from the winding
    for (let k = 0; k < 9; k++) view.setFloat32(at + 4 * k, soup[9 * t + k], true);
  }
  return out;
}

/**
 * A coarse stand-in for a huge mesh that reuses its vertex buffer: vertices are clustered on a
 * grid of `cells` along the longest side, each cluster drawn as its first vertex, and triangles
 * that collapse are dropped. Only the index list is new, so the viewer keeps one position
 * buffer and swaps index buffers while the view moves.
 * @returns {Uint32Array} triangle indices into the same positions
 */
export function clusterProxy(positions, indices, { min, max }, cells = 160) {
  const extent = Math.max(max[0] - min[0], max[1] - min[1], max[2] - min[2]) || 1;
  const step = extent / cells;
  const n = [0, 1, 2].map((k) => Math.max(1, Math.ceil((max[k] - min[k]) / step) + 1));
  const rep = new Int32Array(n[0] * n[1] * n[2]).fill(-1);
  const vertexCount = positions.length / 3;
  const cluster = new Uint32Array(vertexCount);
  for (let v = 0; v < vertexCount; v++) {
    const x = Math.floor((positions[3 * v] - min[0]) / step);
    const y = Math.floor((positions[3 * v + 1] - min[1]) / step);
    const z = Math.floor((positions[3 * v + 2] - min[2]) / step);
    const cell = (x * n[1] + y) * n[2] + z;
    if (rep[cell] < 0) rep[cell] = v;
    cluster[v] = rep[cell];
  }
  const out = new Uint32Array(indices.length);
  let kept = 0;
  for (let t = 0; t < indices.length; t += 3) {
    const a = cluster[indices[t]], b = cluster[indices[t + 1]], c = cluster[indices[t + 2]];
    if (a === b || b === c || a === c) continue;
    out[kept++] = a; out[kept++] = b; out[kept++] = c;
  }
  return out.slice(0, kept);
}
