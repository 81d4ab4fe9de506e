#!/usr/bin/env bash
# Whole-process thumbnail time: `vitrine render` vs `f3d --output` (under xvfb-run) at
# 512x512, on the 124k-triangle ogre and on a ~2M-triangle ogre made at run time.
# Issue 2's targets: vitrine <= 1/20 of f3d on the 124k file, <= 1/8 on the 2M file.
#
# Usage: Benchmarks/render-vs-f3d.sh [RUNS]
#   VITRINE=path/to/vitrine   binary to time (default: builds and uses .build/release/vitrine)
#   VITRINE_RENDER="CMD"      command prefix instead, called as CMD FILE -o OUT --size 512
#   LARGE_DIR=dir             where ogre-2m.stl is made/kept (default: a temp dir)
# Needs: f3d, xvfb-run (apt-get install -y f3d xvfb xauth), python3 with trimesh and numpy
# for the large mesh (pip install trimesh numpy); uses hyperfine when installed.
set -euo pipefail

runs="${1:-10}"
root="$(cd "$(dirname "$0")/.." && pwd)"
meshes="$root/../shared/meshes/public"
size=512
out="$(mktemp -d)"
trap 'rm -rf "$out"' EXIT

if [[ -n "${VITRINE_RENDER:-}" ]]; then
    render="$VITRINE_RENDER"
else
    if [[ -z "${VITRINE:-}" ]]; then
        (cd "$root" && swift build -c release --product vitrine >&2)
        VITRINE="$root/.build/release/vitrine"
    fi
    render="$VITRINE render"
fi
for tool in f3d xvfb-run python3; do
    command -v "$tool" >/dev/null || { echo "missing $tool (apt-get install -y f3d xvfb xauth)" >&2; exit 1; }
done

large_dir="${LARGE_DIR:-$out/large}"
if [[ ! -f "$large_dir/ogre-2m.stl" ]]; then
    echo "making ogre-2m.stl in $large_dir ..." >&2
    python3 "$root/../shared/tools/make-large-meshes.py" "$large_dir" >&2
fi

# Median wall time of a command in milliseconds, after one warm-up run.
median_ms() {
    if command -v hyperfine >/dev/null; then
        hyperfine --warmup 1 --runs "$runs" --style none --export-json "$out/h.json" "$1" >/dev/null 2>&1 \
            || { echo "command failed: $1" >&2; exit 1; }
        python3 -c 'import json,sys; print("%.1f" % (json.load(open(sys.argv[1]))["results"][0]["median"] * 1000))' "$out/h.json"
    else
        bash -c "$1" >/dev/null 2>&1 || { echo "command failed: $1" >&2; exit 1; }
        local times=()
        for _ in $(seq "$runs"); do
            local t0 t1
            t0=$(date +%s%N)
            bash -c "$1" >/dev/null 2>&1
            t1=$(date +%s%N)
            times+=($(( (t1 - t0) / 1000 )))
        done
        printf '%s\n' "${times[@]}" | sort -n | awk '{a[NR]=$1} END {printf "%.1f\n", a[int((NR+1)/2)]/1000}'
    fi
}

printf '%-22s %12s %12s %9s %8s\n' file vitrine_ms f3d_ms ratio target
status=0
for entry in "$meshes/converted_stl/conv_cjt_ogre.stl:20" "$large_dir/ogre-2m.stl:8"; do
    file="${entry%:*}"
    target="${entry##*:}"
    name="$(basename "$file")"
    v=$(median_ms "$render '$file' -o '$out/vitrine-$name.png' --size $size")
    f=$(median_ms "xvfb-run -a f3d '$file' --output '$out/f3d-$name.png' --resolution $size,$size")
    ratio=$(python3 -c "print('%.1f' % ($f / $v))")
    ok=$(python3 -c "print('ok' if $f / $v >= $target else 'MISSED')")
    [[ "$ok" == ok ]] || status=1
    printf '%-22s %12s %12s %8sx %7s %s\n' "$name" "$v" "$f" "$ratio" "${target}x" "$ok"
done
exit $status
