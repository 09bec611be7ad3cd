"""What `tomopick pick` does to one tomogram, in python3-torch: the reference for bench/pick_speed.sh.

usage: /usr/bin/python3 bench/pick_speed.py TOMOGRAM.zarr MODEL.pt [--threads 2] [--out picks.csv]
           [--batch 1] [--compare TOMOPICK_PICKS.csv]

Reads the OME-Zarr level tomopick reads (the finest not finer than the model's spacing), resamples
it to the model's spacing (tomopick's Gaussian-prefiltered trilinear resampling, as one matrix per
axis), z-scores it, runs the model (bench/unet_reference.py with the model file's weights; a
LibTorch archive that torch.jit.load reads) over the model's sliding windows (window and overlap from
the model file, windows placed as tomopick places them) with Gaussian blending (σ = 0.125 × window
per axis, floored at 1e-3 of the maximum) of the sigmoid outputs, then finds peaks per class by
max-pooling (three 1D max-pools; half-width floor(nms_fraction × radius / spacing), at least 1;
score ≥ the class's threshold: from a thresholds.json beside the model, else the model's, else 0.5)
with tomopick's 3-point sub-voxel refinement. Prints "key value" lines: the seconds of each stage,
peak RSS and picks per class; --compare matches the picks against tomopick's (same class, within
half a voxel).
"""
import argparse
import json
import math
import os
import resource
import sys
import time

import numpy as np
import torch
import torch.nn.functional as F

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from train_speed import resample, zarr_level  # noqa: E402
from unet_reference import load_tomopick_model  # noqa: E402


def window_starts(n, w, overlap):
    """tomopick's infer/window_grid.cpp (output stride 1): 0, step, 2 step, ..., and a last window
    moved back to end at the border."""
    if n <= w:
        return [0]
    step = max(1, int(math.floor(w * (1 - overlap) + 1e-9)))
    starts = list(range(0, n - w, step))
    return starts + [n - w]


def blend_profile(n, sigma_fraction=0.125, floor=1e-3):
    j = torch.arange(n, dtype=torch.float64)
    v = torch.exp(-0.5 * ((j - 0.5 * (n - 1)) / (sigma_fraction * n)) ** 2)
    return (v / v.max()).float().clamp(min=floor)


def predict(net, vol, window, overlap, batch):
    """Per-class probabilities [C, Z, Y, X]: sliding windows, sigmoid, Gaussian-weighted average."""
    shape = vol.shape
    win = list(window)
    starts = [window_starts(n, w, overlap) for n, w in zip(shape, win)]
    prof = [blend_profile(w) for w in win]
    weight = prof[0][:, None, None] * prof[1][None, :, None] * prof[2][None, None, :]
    acc, wsum = None, torch.zeros(shape)
    boxes = [(z, y, x) for z in starts[0] for y in starts[1] for x in starts[2]]
    with torch.no_grad():
        for i in range(0, len(boxes), batch):
            chunk = boxes[i:i + batch]
            xs = []
            for z, y, x in chunk:
                w = vol[z:z + win[0], y:y + win[1], x:x + win[2]]
                pad = [0, win[2] - w.shape[2], 0, win[1] - w.shape[1], 0, win[0] - w.shape[0]]
                if any(pad):  # a volume smaller than the window: edges replicated, cropped below
                    w = F.pad(w[None, None], pad, mode="replicate")[0, 0]
                xs.append(w)
            prob = torch.sigmoid(net(torch.stack(xs)[:, None]))
            if acc is None:
                acc = torch.zeros((prob.shape[1],) + tuple(shape))
            for (z, y, x), p in zip(chunk, prob):
                dz, dy, dx = (min(w, n - s) for w, n, s in zip(win, shape, (z, y, x)))
                wt = weight[:dz, :dy, :dx]
                acc[:, z:z + dz, y:y + dy, x:x + dx] += p[:, :dz, :dy, :dx] * wt
                wsum[z:z + dz, y:y + dy, x:x + dx] += wt
    return acc.div_(wsum)


def find_peaks(h, radius_vox, threshold):
    """Max-pool peaks of one heatmap [Z, Y, X]: (vox [n, 3] float with sub-voxel offsets, scores)."""
    r = max(1, int(math.floor(radius_vox + 1e-9)))
    # the (2r+1)³ max-pool as three 1D max-pools: the same maximum, ~(2r+1)²/3 times less work
    pooled = h[None, None]
    for k in ((2 * r + 1, 1, 1), (1, 2 * r + 1, 1), (1, 1, 2 * r + 1)):
        pooled = F.max_pool3d(pooled, k, stride=1, padding=tuple(x // 2 for x in k))
    pooled = pooled[0, 0]
    idx = torch.nonzero((h >= threshold) & (h == pooled))
    if len(idx) == 0:
        return np.zeros((0, 3)), np.zeros(0)
    score = h[idx[:, 0], idx[:, 1], idx[:, 2]].double()
    pos = idx.double()
    gain_lin = torch.zeros(len(idx), dtype=torch.float64)
    gain_log = torch.zeros(len(idx), dtype=torch.float64)
    for a in range(3):  # 3-point parabola per axis, on log values when all are positive
        inside = (idx[:, a] > 0) & (idx[:, a] < h.shape[a] - 1)
        lo, hi = idx.clone(), idx.clone()
        lo[:, a] = (lo[:, a] - 1).clamp(min=0)
        hi[:, a] = (hi[:, a] + 1).clamp(max=h.shape[a] - 1)
        fm = h[lo[:, 0], lo[:, 1], lo[:, 2]].double()
        fp = h[hi[:, 0], hi[:, 1], hi[:, 2]].double()
        f0 = score
        use_log = (fm > 0) & (f0 > 0) & (fp > 0)
        lm, l0, lp = (torch.where(use_log, v.clamp(min=1e-300).log(), v) for v in (fm, f0, fp))
        qa, qb = 0.5 * (lm + lp) - l0, 0.5 * (lp - lm)
        ok = inside & (qa < 0)
        off = torch.where(ok, (-qb / (2 * torch.where(ok, qa, -1.0))).clamp(-0.5, 0.5), torch.zeros_like(qa))
        gain = qb * off + qa * off * off
        gain = torch.where(use_log, gain.clamp(max=0.125), gain)  # at most a σ >= 1 voxel Gaussian's
        gain_log += torch.where(use_log, gain, torch.zeros_like(gain))
        gain_lin += torch.where(use_log, torch.zeros_like(gain), gain)
        pos[:, a] += off
    score = (score + gain_lin) * torch.exp(gain_log)
    order = torch.argsort(score, descending=True)
    return pos[order].numpy(), score[order].numpy()


def rss_mb():
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                 usage=__doc__.split("\n\n")[1].strip()[len("usage: "):])
    ap.add_argument("tomogram")
    ap.add_argument("model")
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--batch", type=int, default=1)
    ap.add_argument("--out")
    ap.add_argument("--compare")
    args = ap.parse_args()
    torch.set_num_threads(args.threads)
    t = {"start": time.perf_counter()}

    net, info = load_tomopick_model(args.model)
    spacing = float(info["spacing_A"])
    t["load"] = time.perf_counter()

    arr, sp = zarr_level(args.tomogram, spacing)
    vol = torch.from_numpy(arr[...].astype(np.float32, copy=False))
    t["read"] = time.perf_counter()
    if abs(sp - spacing) > 0.001 * spacing:
        vol = resample(vol, sp, spacing)
    t["resample"] = time.perf_counter()
    v64 = vol.double()
    mean, sd = v64.mean().item(), v64.std(unbiased=False).item()
    del v64
    vol = (vol - mean) * (1 / (sd if sd > 0 else 1))
    t["zscore"] = time.perf_counter()

    probs = predict(net, vol, info["window"], float(info["overlap"]), args.batch)
    t["windows"] = time.perf_counter()

    # thresholds as tomopick takes them: a thresholds.json beside the model (null: keep none), else
    # the model's stored (validation-tuned) ones, else 0.5
    beside = {}
    tfile = os.path.join(os.path.dirname(os.path.abspath(args.model)), "thresholds.json")
    if os.path.exists(tfile):
        with open(tfile) as f:
            beside = {k: (math.inf if v is None else float(v)) for k, v in json.load(f)["thresholds"].items()}
    picks = {}
    for c, k in enumerate(info["classes"]):
        thr = beside.get(k["name"], k.get("threshold"))
        thr = 0.5 if thr is None else float(thr)
        picks[k["name"]] = find_peaks(probs[c], float(info["nms_fraction"]) * k["radius_A"] / spacing, thr)
    t["peaks"] = time.perf_counter()

    if args.out:
        with open(args.out, "w") as f:
            f.write("id,experiment,particle_type,x,y,z,score\n")
            i = 0
            run = os.path.basename(os.path.normpath(args.tomogram)).removesuffix(".zarr")
            for name, (pos, score) in picks.items():
                for p, s in zip(pos, score):
                    f.write(f"{i},{run},{name},{p[2] * spacing:.6g},{p[1] * spacing:.6g},{p[0] * spacing:.6g},{s:.6g}\n")
                    i += 1

    print(f"level_shape {'x'.join(map(str, arr.shape))} at {sp:g} A -> {'x'.join(map(str, vol.shape))} at {spacing:g} A")
    for a, b in [("load", "start"), ("read", "load"), ("resample", "read"), ("zscore", "resample"),
                 ("windows", "zscore"), ("peaks", "windows")]:
        print(f"{a}_s {t[a] - t[b]:.3f}")
    print(f"total_s {t['peaks'] - t['start']:.3f}")
    print(f"peak_rss_mb {rss_mb():.0f}")
    for name, (pos, _) in picks.items():
        print(f"picks {name} {len(pos)}")

    if args.compare:
        theirs = {}
        with open(args.compare) as f:
            header = f.readline().strip().split(",")
            ci = {k: header.index(k) for k in ("particle_type", "x", "y", "z")}
            for line in f:
                r = line.strip().split(",")
                theirs.setdefault(r[ci["particle_type"]], []).append([float(r[ci[k]]) for k in ("z", "y", "x")])
        matched = total_py = total_cpp = 0
        for name, (pos, _) in picks.items():
            mine = torch.tensor(pos * spacing)
            other = torch.tensor(theirs.get(name, []), dtype=torch.float64).view(-1, 3)
            total_py += len(mine)
            total_cpp += len(other)
            if len(mine) and len(other):
                matched += int((torch.cdist(mine, other).min(1).values <= 0.5 * spacing).sum())
        print(f"compare matched {matched} python {total_py} tomopick {total_cpp}")


if __name__ == "__main__":
    main()
