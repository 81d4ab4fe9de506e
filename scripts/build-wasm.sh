#!/usr/bin/env bash
# Builds Web/vitrine.wasm from the geometry targets with Embedded Swift and wasm-ld.
#
#   scripts/build-wasm.sh            # release build (what CI and the web pages use)
#
# Steps: SwiftPM compiles MeshCore … GeometryWasm for wasm32-unknown-none-wasm in Embedded
# mode; clang compiles the WasmAllocator C target (allocator + the few libc functions
# Embedded Swift needs) with bulk-memory enabled; wasm-ld links the objects, exporting every
# `@_cdecl("vitrine_…")` name of Sources/GeometryWasm plus the allocator's exports.
# Idempotent: rerunning rebuilds what changed and rewrites Web/vitrine.wasm.
# Env: SWIFT_BIN_DIR (default /opt/swift/usr/bin), WASM_SCRATCH (default .build-wasm).
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"

bin="${SWIFT_BIN_DIR:-/opt/swift/usr/bin}"
scratch="${WASM_SCRATCH:-.build-wasm}"
triple=wasm32-unknown-none-wasm
out=Web/vitrine.wasm

die() { echo "build-wasm: error: $*" >&2; exit 1; }
for tool in swift clang wasm-ld; do
    [[ -x "$bin/$tool" ]] || die "$bin/$tool not found (set SWIFT_BIN_DIR)"
done

start=$(date +%s%N)

# 1. Swift, Embedded, whole-module; -O (speed) rather than -Osize: parsing 100 MB meshes
#    is the hot path and the size difference is small. bulk-memory turns memcpy/memset into
#    single instructions; simd128 lets LLVM vectorize loops (about 10% faster parsing). Both
#    are in every current browser (Safari since 16.4) and node >= 16.
"$bin/swift" build -c release --triple "$triple" --scratch-path "$scratch" \
    --target GeometryWasm \
    -Xswiftc -enable-experimental-feature -Xswiftc Embedded \
    -Xswiftc -enable-experimental-feature -Xswiftc Extern \
    -Xswiftc -wmo \
    -Xswiftc -Xfrontend -Xswiftc -disable-stack-protector \
    -Xcc -mbulk-memory -Xcc -msimd128 \
    || die "swift build for $triple failed"

objdir="$scratch/$triple/release"
[[ -d "$objdir" ]] || die "no build output in $objdir"

# 2. The C runtime, compiled directly so its flags are ours (SwiftPM also compiles it as
#    a dependency; that object is not linked).
mkdir -p "$scratch/vitrine-wasm"
alloc_obj="$scratch/vitrine-wasm/WasmAllocator.o"
"$bin/clang" --target="$triple" -O2 -nostdlib -ffreestanding -mbulk-memory -msimd128 \
    -std=c11 -Wall -Wextra -Werror \
    -I Sources/WasmAllocator/include \
    -c Sources/WasmAllocator/WasmAllocator.c -o "$alloc_obj" \
    || die "compiling WasmAllocator failed"

# 3. Link. The Swift objects of every geometry module; the embedded runtime pieces
#    (swift_retain, swift_allocObject, …) are emitted into them as weak symbols.
#    The object list comes from each module's output-file-map.json (the module's current
#    sources), not a glob: objects of deleted source files stay in the scratch folder.
swift_objs=()
for module in MeshCore MeshIO MeshAnalysis MeshRender CaseGen GeometryWasm; do
    map="$objdir/$module.build/output-file-map.json"
    [[ -f "$map" ]] || die "missing $map"
    count=0
    while IFS= read -r obj; do
        [[ -f "$obj" ]] || die "$module: $obj listed in $map was not built"
        swift_objs+=("$obj")
        count=$((count + 1))
    done < <(grep -o '"object": *"[^"]*\.swift\.o"' "$map" | sed 's/.*"object": *"\(.*\)"/\1/')
    [[ $count -gt 0 ]] || die "no objects for $module in $map"
done

exports=()
while IFS= read -r name; do
    exports+=("--export=$name")
done < <(grep -ho '@_cdecl("vitrine_[A-Za-z0-9_]*")' Sources/GeometryWasm/*.swift | sed 's/@_cdecl("\(.*\)")/\1/' | sort -u)
[[ ${#exports[@]} -gt 0 ]] || die "no @_cdecl(\"vitrine_…\") exports found in Sources/GeometryWasm"

# Unicode tables are needed only if String comparison reaches non-ASCII paths; the
# archive is searched lazily and --gc-sections drops what is not used.
unicode_lib="$bin/../lib/swift/embedded/$triple/libswiftUnicodeDataTables.a"
[[ -f "$unicode_lib" ]] || die "missing $unicode_lib"

mkdir -p Web
tmp_out="$scratch/vitrine-wasm/vitrine.wasm"
"$bin/wasm-ld" --no-entry --gc-sections --strip-debug \
    --stack-first -z stack-size=1048576 \
    --initial-memory=4194304 --max-memory=4294967296 \
    --export=vitrine_alloc --export=vitrine_free --export=vitrine_realloc \
    --export=vitrine_aligned_alloc --export=vitrine_heap_stats \
    "${exports[@]}" \
    "${swift_objs[@]}" "$alloc_obj" "$unicode_lib" \
    -o "$tmp_out" \
    || die "wasm-ld failed"
mv -f "$tmp_out" "$out"

end=$(date +%s%N)
size=$(stat -c %s "$out")
ms=$(( (end - start) / 1000000 ))
printf 'build-wasm: wrote %s (%d bytes, %d exports) in %d.%01d s\n' "$out" "$size" "$((${#exports[@]} + 5))" $((ms / 1000)) $(((ms % 1000) / 100))
