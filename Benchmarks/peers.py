#!/usr/bin/env python3
"""Times the Python peers on one mesh file, in-process, best of N: numpy-stl's plain load
and trimesh.load (which also merges vertices). Prints one JSON object."""
import json
import sys
import time


def best(fn, repeats):
    times = []
    for _ in range(repeats):
        t = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t)
    return min(times)


def main():
    path = sys.argv[1]
    repeats = int(sys.argv[2]) if len(sys.argv) > 2 else 3
    out = {}
    try:
        from stl import mesh as npstl
        if path.lower().endswith(".stl"):
            out["numpy_stl_s"] = best(lambda: npstl.Mesh.from_file(path), repeats)
    except ImportError as error:
        out["numpy_stl_error"] = str(error)
    try:
        import trimesh
        out["trimesh_s"] = best(lambda: trimesh.load(path, force="mesh"), max(1, repeats // 2))
    except ImportError as error:
        out["trimesh_error"] = str(error)
    print(json.dumps(out))


if __name__ == "__main__":
    main()
