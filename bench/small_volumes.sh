#!/usr/bin/env bash
# A model on tomograms smaller than its window: new simulated CZII runs are cut into boxes of
# 92 x 59 x 59 voxels at 20 Å (level 1, full z: the size of the real CZII fragments in
# ../shared/data), 25 per run, each picked as its own tomogram and scored with the CZII metric.
#   bench/small_volumes.sh BUILD_DIR [WORK_DIR] [PRESET] [MODEL]   (about 2 minutes on 2 cores)
# PRESET: czii (default) or czii-real; MODEL: the built-in one by default.
set -euo pipefail
build=$(realpath "${1:-build}")
work=${2:-$(mktemp -d)}
preset=${3:-czii}
model=${4:-$(realpath "$(dirname "$0")/../models/default/model.pt")}
mkdir -p "$work" && cd "$work"
rm -rf sim boxes
"$build/tomopick" simulate --preset "$preset" --runs 3 --seed 4242 --out sim
/usr/bin/python3 - sim boxes <<'PY'
import sys, json, pathlib, numpy as np, zarr, mrcfile
proj, out = pathlib.Path(sys.argv[1]), pathlib.Path(sys.argv[2])
(out / "truth").mkdir(parents=True)
codes = {"apo-ferritin": 0, "thyroglobulin": 1, "beta-galactosidase": 2, "ribosome": 3, "virus-like-particle": 4}
for run in sorted((proj / "ExperimentRuns").iterdir()):
    store = next(run.glob("VoxelSpacing*")) / "denoised.zarr"
    attrs = json.loads((store / ".zattrs").read_text())
    s = attrs["multiscales"][0]["datasets"][1]["coordinateTransformations"][0]["scale"][2]
    v = zarr.open(str(store / "1"), mode="r")[:].astype(np.float32)
    pts = []  # (x, y, z) Å of the run, CZII class code
    for f in (run / "Picks").glob("*.json"):
        d = json.loads(f.read_text())
        if d.get("pickable_object_name") in codes:
            pts += [(p["location"]["x"], p["location"]["y"], p["location"]["z"], codes[d["pickable_object_name"]])
                    for p in d["points"]]
    i = 0
    for y0 in range(0, v.shape[1] - 59 + 1, 62):
        for x0 in range(0, v.shape[2] - 59 + 1, 62):
            name = "box_%s_%02d" % (run.name, i); i += 1
            with mrcfile.new(str(out / (name + ".mrc"))) as m:
                m.set_data(np.ascontiguousarray(v[:, y0:y0 + 59, x0:x0 + 59])); m.voxel_size = s
            with open(out / "truth" / ("FiveParticlesData%s.csv" % name), "w") as f:
                f.write("x,y,z,Class\n")
                for x, y, z, c in pts:
                    x, y = x - x0 * s, y - y0 * s
                    if 0 <= x / s < 59 and 0 <= y / s < 59 and 0 <= z / s < v.shape[0]:
                        f.write("%.3f,%.3f,%.3f,%d\n" % (x, y, z, c))
    print(run.name, "->", i, "boxes of 92 x 59 x 59 at %.2f Å" % s)
PY
/usr/bin/time -f "pick: %e s wall, %M KB peak RSS" "$build/tomopick" pick boxes/*.mrc -m "$model" --out picks.csv
"$build/tomopick" evaluate --truth boxes/truth --picks picks.csv
