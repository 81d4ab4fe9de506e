// The wasm heap gives memory back: freed blocks are coalesced and reused, so repeated work
// on the same input settles at a fixed memory size instead of growing with every call.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { ci, freshVitrine, meshPath, readMesh } from './support.mjs';

const FIVE_MB = 'converted_stl/conv_oded_scorpion.stl';   // 4.8 MiB, 99,990 triangles

test('parse+analyze+release of a 5 MB file 50 times stops growing memory', async (t) => {
  if (!existsSync(meshPath(FIVE_MB))) {
    if (ci) assert.fail(`missing ${meshPath(FIVE_MB)}`);
    t.skip(`missing ${meshPath(FIVE_MB)}`);
    return;
  }
  const v = await freshVitrine();
  const bytes = readMesh(FIVE_MB);
  const baseline = v.heapStats().usedBytes;
  const memory = [];
  for (let round = 0; round < 50; round++) {
    const mesh = v.parse(bytes, FIVE_MB);
    assert.equal(mesh.triangleCount, 99990);
    mesh.analyze();
    mesh.release();
    memory.push(v.memoryBytes);
  }
  t.diagnostic(`memory after rounds 1, 2, 5, 50: ${[0, 1, 4, 49].map((i) => memory[i]).join(', ')} bytes`);
  // A few rounds may still grow while the heap finds its shape; after that, never.
  assert.equal(memory[49], memory[4], `memory kept growing: ${memory.join(', ')}`);
  assert.equal(v.liveMeshes, 0);
  const stats = v.heapStats();
  assert.ok(stats.usedBytes - baseline <= 4096, `bytes still in use after releasing everything: ${stats.usedBytes - baseline}`);
  // Without reuse, 50 rounds would need far more than the memory that was used.
  assert.ok(memory[49] < 20 * bytes.length, `memory ${memory[49]} for a ${bytes.length}-byte file`);
});

/** Deterministic PRNG (mulberry32) so a failure reproduces. */
function rng(seed) {
  return () => {
    seed |= 0; seed = (seed + 0x6d2b79f5) | 0;
    let x = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    x = (x + Math.imul(x ^ (x >>> 7), 61 | x)) ^ x;
    return ((x ^ (x >>> 14)) >>> 0) / 4294967296;
  };
}

/** Fills the first and last 64 bytes of a block with a tag so overlaps and stray writes show. */
const mark = (tag, offset) => (tag * 31 + offset * 7 + 1) & 255;
function touched(size) {
  const n = Math.min(size, 64);
  const offsets = [];
  for (let i = 0; i < n; i++) offsets.push(i, size - 1 - i);
  return offsets;
}
function stamp(v, block) {
  const view = new Uint8Array(v.memory.buffer, block.ptr, block.size);
  for (const o of touched(block.size)) view[o] = mark(block.tag, o);
}
function check(v, block) {
  const view = new Uint8Array(v.memory.buffer, block.ptr, block.size);
  return touched(block.size).every((o) => view[o] === mark(block.tag, o));
}

test('allocator: random malloc/realloc/aligned_alloc/free keeps blocks intact and coalesces back', async (t) => {
  const v = await freshVitrine();
  const e = v.exports;
  const start = v.heapStats();
  const pass = (seed) => {
    const random = rng(seed);
    const live = [];
    let tag = 1;
    let liveBytes = 0;
    let peak = 0;
    for (let step = 0; step < 4000; step++) {
      const r = random();
      if (r < 0.45 || live.length === 0) {
        // Log-uniform sizes from 1 byte to 8 MiB, like headers, strings and mesh arrays.
        const size = Math.max(1, Math.floor(Math.exp(random() * Math.log(8 << 20))));
        const aligned = random() < 0.15;
        const alignment = aligned ? 1 << (3 + Math.floor(random() * 10)) : 16;
        const ptr = (aligned ? e.vitrine_aligned_alloc(alignment, size) : e.vitrine_alloc(size)) >>> 0;
        assert.notEqual(ptr, 0, `allocation of ${size} failed`);
        assert.equal(ptr % Math.max(alignment, 16), 0, `alignment ${alignment} of ${ptr}`);
        const block = { ptr, size, tag: tag++ };
        stamp(v, block);
        live.push(block);
        liveBytes += size;
      } else if (r < 0.6) {
        const i = Math.floor(random() * live.length);
        const block = live[i];
        assert.ok(check(v, block), `block ${block.tag} was overwritten before realloc`);
        const size = Math.max(1, Math.floor(block.size * (0.25 + random() * 3)));
        const keep = Math.min(size, block.size, 64);
        const before = new Uint8Array(v.memory.buffer, block.ptr, keep).slice();
        const ptr = e.vitrine_realloc(block.ptr, size) >>> 0;
        assert.notEqual(ptr, 0);
        assert.deepEqual(new Uint8Array(v.memory.buffer, ptr, keep), before, 'realloc keeps the contents');
        live[i] = { ptr, size, tag: tag++ };
        stamp(v, live[i]);
        liveBytes += size - block.size;
      } else {
        const i = Math.floor(random() * live.length);
        const [block] = live.splice(i, 1);
        assert.ok(check(v, block), `block ${block.tag} was overwritten before free`);
        e.vitrine_free(block.ptr);
        liveBytes -= block.size;
      }
      peak = Math.max(peak, liveBytes);
    }
    const sorted = [...live].sort((a, b) => a.ptr - b.ptr);
    for (let i = 1; i < sorted.length; i++) {
      assert.ok(sorted[i - 1].ptr + sorted[i - 1].size <= sorted[i].ptr, 'live blocks overlap');
    }
    for (const block of live) {
      assert.ok(check(v, block), `block ${block.tag} was overwritten`);
      e.vitrine_free(block.ptr);
    }
    return peak;
  };
  const memory = [];
  let peak = 0;
  for (let round = 0; round < 4; round++) {
    peak = pass(42);
    const stats = v.heapStats();
    assert.equal(stats.usedBytes, start.usedBytes, 'everything freed');
    assert.equal(stats.freeChunks, 0, 'all free blocks merged back into one region');
    assert.equal(stats.largestFreeBytes, stats.freeBytes);
    memory.push(v.memoryBytes);
  }
  t.diagnostic(`peak live ${peak} bytes; memory after each pass: ${memory.join(', ')}`);
  // Repeating the workload settles: no growth after the second pass.
  assert.equal(memory[3], memory[1], `memory keeps growing: ${memory.join(', ')}`);
  // Fragmentation stays bounded: the heap is not much bigger than what was live at once.
  assert.ok(memory[3] <= 1.5 * peak + (8 << 20), `memory ${memory[3]} for a peak of ${peak} live bytes`);
  // Double and foreign frees are ignored rather than corrupting the heap.
  const p = e.vitrine_alloc(100) >>> 0;
  e.vitrine_free(p);
  e.vitrine_free(p);
  e.vitrine_free(12345);
  e.vitrine_free(0);
  assert.equal(v.heapStats().usedBytes, start.usedBytes);
  assert.equal(e.vitrine_alloc(0xfffffff0) >>> 0, 0, 'an impossible request returns null');
});
