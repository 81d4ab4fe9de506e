// Times case generation in wasm under node, for `vitrine-bench case` (which compares it with
// the native engine). Prints one JSON line.
//
//   node Benchmarks/wasm-case.mjs FILE [--scale S] [--resolution R] [--repeats N] [--wasm PATH]
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const args = process.argv.slice(2);
const option = (name, fallback) => {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : fallback;
};
const file = args.find((a, i) => !a.startsWith('--') && (i === 0 || !args[i - 1].startsWith('--')));
if (!file) { console.error('usage: wasm-case.mjs FILE [--scale S] [--resolution R] [--repeats N]'); process.exit(2); }
const scale = Number(option('--scale', '1'));
const resolution = Number(option('--resolution', '0.1'));
const repeats = Math.max(1, Number(option('--repeats', '1')));
const wasmPath = option('--wasm', join(here, '..', 'Web', 'vitrine.wasm'));

const { loadVitrine } = await import(join(here, '..', 'Web', 'vitrine.js'));
const vitrine = await loadVitrine(new Uint8Array(readFileSync(wasmPath)));
const bytes = new Uint8Array(readFileSync(file));
let parseMs = Infinity, caseMs = Infinity, result;
for (let r = 0; r < repeats; r++) {
  let t = performance.now();
  const mesh = vitrine.parse(bytes, file, { weld: false });  // as `vitrine case` loads
  parseMs = Math.min(parseMs, performance.now() - t);
  t = performance.now();
  result = mesh.generateCase({ scale, resolution });
  caseMs = Math.min(caseMs, performance.now() - t);
  mesh.release();
}
console.log(JSON.stringify({
  parse_ms: parseMs, case_ms: caseMs,
  triangles: result.parts.map((p) => p.indices.length / 3),
  three_mf_bytes: result.threeMF.length,
  resolution: result.resolution,
  rss_mib: process.memoryUsage().rss / 1048576,
  wasm_memory_mib: vitrine.memoryBytes / 1048576,
}));
