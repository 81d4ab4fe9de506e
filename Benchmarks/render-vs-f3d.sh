#!/usr/bin/env bash
# Whole-process thumbnail time: `vitrine render` vs `f3d --output` (under xvfb-run) at
# 512x512, on the 124k-triangle ogre and on a ~2M-triangle ogre made at run time, both
# tools measured in the same hyperfine run. Issue 2's targets: vitrine takes at most
# 1/20 of f3d's time on the 124k file and at most 1/8 on the 2M file.
#
# Usage: Benchmarks/render-vs-f3d.sh [RUNS]        (from anywhere; builds what it needs)
#   VITRINE=path/to/vitrine   binary to time (default: builds a release vitrine with the
#                             Swift runtime linked statically, as a shipped CLI would be,
#                             in .build-release-static/)
#   LARGE_DIR=dir             where ogre-2m.stl is made/kept (default: /tmp/vitrine-large)
#   KEEP=dir                  keep the rendered PNGs there (vitrine-*.png, f3d-*.png)
# Needs: f3d, xvfb-run, xauth (apt-get install -y f3d xvfb xauth), hyperfine
# (apt-get install -y hyperfine; without it a plain timing loop is used), and python3 with
# trimesh and numpy to make the large mesh once (pip install trimesh numpy).
set -euo pipefail

runs="${1:-10}"
root="$(cd "$(dirname "$0")/.." && pwd)"
meshes="$root/../shared/meshes/public"
size=512
out="${KEEP:-$(mktemp -d)}"
mkdir -p "$out"
[[ -n "${KEEP:-}" ]] || trap 'rm -rf "$out"' EXIT

for tool in f3d xvfb-run python3; do
    command -v "$tool" >/dev/null || { echo "missing $tool (apt-get install -y f3d xvfb xauth)" >&2; exit 1; }
done
if [[ -z "${VITRINE:-}" ]]; then
    # --static-swift-stdlib: no dynamic loading of Foundation and the Swift runtime,
    # which is most of a small render's process start-up.
    echo "building vitrine (release, static Swift runtime) ..." >&2
    # VITRINE_STATIC_LINK=1: linked without PIE too (see Package.swift), as a shipped binary.
    (cd "$root" && VITRINE_STATIC_LINK=1 swift build -c release --product vitrine --static-swift-stdlib \
        --scratch-path "$root/.build-release-static" >&2)
    VITRINE="$root/.build-release-static/release/vitrine"
fi

large_dir="${LARGE_DIR:-/tmp/vitrine-large}"
if [[ ! -f "$large_dir/ogre-2m.stl" ]]; then
    echo "making ogre-2m.stl in $large_dir ..." >&2
    python3 "$root/../shared/tools/make-large-meshes.py" "$large_dir" >&2
fi

# Prints "vitrine_median_ms f3d_median_ms" for two commands timed in one run.
medians() {
    if command -v hyperfine >/dev/null; then
        hyperfine -N --warmup 1 --runs "$runs" --style none --export-json "$out/h.json" "$1" "$2" >/dev/null 2>&1 \
            || { echo "command failed: $1 / $2" >&2; exit 1; }
        python3 -c 'import json,sys; r=json.load(open(sys.argv[1]))["results"]; print(" ".join("%.1f" % (x["median"]*1000) for x in r))' "$out/h.json"
    else
        local a=() b=()
        $1 >/dev/null 2>&1 && $2 >/dev/null 2>&1 || { echo "command failed: $1 / $2" >&2; exit 1; }
        for _ in $(seq "$runs"); do
            local t0 t1 t2
            t0=$(date +%s%N); $1 >/dev/null 2>&1; t1=$(date +%s%N); $2 >/dev/null 2>&1; t2=$(date +%s%N)
            a+=($(( (t1 - t0) / 1000 ))); b+=($(( (t2 - t1) / 1000 )))
        done
        med() { printf '%s\n' "$@" | sort -n | awk '{a[NR]=$1} END {printf "%.1f", a[int((NR+1)/2)]/1000}'; }
        echo "$(med "${a[@]}") $(med "${b[@]}")"
    fi
}

echo "vitrine: $VITRINE; f3d: $(f3d --version 2>/dev/null | head -1); $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg)"
printf '%-20s %11s %9s %8s %7s %s\n' file vitrine_ms f3d_ms ratio target result
status=0
for entry in "$meshes/converted_stl/conv_cjt_ogre.stl:20" "$large_dir/ogre-2m.stl:8"; do
    file="${entry%:*}"
    target="${entry##*:}"
    name="$(basename "$file" .stl)"
    read -r v f < <(medians "$VITRINE render $file -o $out/vitrine-$name.png --size $size" \
        "xvfb-run -a f3d $file --output $out/f3d-$name.png --resolution $size,$size")
    ratio=$(python3 -c "print('%.1f' % ($f / $v))")
    result=$(python3 -c "print('PASS' if $f / $v >= $target else 'FAIL')")
    [[ "$result" == PASS ]] || status=1
    printf '%-20s %11s %9s %7sx %6sx %s\n' "$name" "$v" "$f" "$ratio" "$target" "$result"
    # Where vitrine's time goes (one extra run, stderr of VITRINE_TIMING).
    echo "    vitrine phases: $(VITRINE_TIMING=1 VITRINE_T0=$EPOCHREALTIME $VITRINE render "$file" -o "$out/vitrine-$name.png" --size $size 2>&1 | paste -sd' ')"
done
exit $status
