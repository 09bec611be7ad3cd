"""Training speed: `tomopick train` (C++) against the same network, batch, data and step in python3-torch.

usage: /usr/bin/python3 bench/train_speed.py [BUILD_DIR] PROJECT [--config configs/default.yaml]
           [--steps 60] [--warmup 10] [--threads 2] [--runs all|RUN,RUN...] [--model MODEL.pt]
           [--no-tcmalloc]

PROJECT is a copick project (e.g. from `tomopick simulate --preset czii --runs 12`). Both sides use
the config's network (bench/unet_reference.py is tomopick's unet3d in PyTorch; the parameter counts
must agree), batch, crop, spacing, targets, augmentation, loss, AdamW, gradient clipping and EMA, on
THREADS threads. Measured, one after the other:
  - training: steps/s over steps WARMUP+1 .. WARMUP+STEPS of a real training loop with its data
    loader (tomopick: `tomopick train`, its worker threads; Python: torch DataLoader with
    data.workers worker processes and data.prefetch batches ahead);
  - the network step alone, on one fixed batch (forward, loss, backward, clip, AdamW, EMA);
  - one batch of data made on one thread (crops biased to particles, Gaussian targets, flips, rot90,
    intensity and noise);
  - loading the runs (read the zarr, resample to data.spacing_A, z-score).
The C++ parts come from `tomopick train` and BUILD_DIR/bench/bench_train (whose network part needs
LibTorch's headers; see bench/bench_train.cpp). The Python side runs in a fresh interpreter, once
as installed and once with tcmalloc preloaded (the allocator tomopick links; --no-tcmalloc skips
it), which shows how much of the difference is the allocator. With --model, the reference also
loads a tomopick model file strictly (every name and shape) and, where bench_train can, compares
its outputs. Prints a markdown table.
"""
import argparse
import glob
import json
import math
import os
import re
import shlex
import subprocess
import sys
import tempfile
import time

import numpy as np
import torch
import yaml
import zarr

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from unet_reference import HeatmapNet, load_tomopick_model, parameter_count  # noqa: E402

# ---------------------------------------------------------------------------------------------------
# The config: tomopick's defaults (train/train_config.h) for what this benchmark uses, then the file.
DEFAULTS = {
    "model": {"arch": "unet3d", "head": "heatmap", "channels": [16, 32, 64, 128], "strides": [2, 2, 2],
              "num_res_units": 1, "norm": "instance", "dropout": 0.0},
    "data": {"spacing_A": 10.0, "tomo_type": "denoised", "normalize": "zscore", "crop": [64, 64, 64],
             "particle_fraction": 0.8, "workers": 2, "prefetch": 4, "classes": []},
    "targets": {"kind": "gaussian", "sigma_fraction": 0.33},
    "augment": {"flips": True, "rot90": True, "intensity_scale": 0.1, "intensity_shift": 0.1, "noise": 0.05,
                "mixup": 0.0},
    "loss": {"kind": "weighted_mse", "weighted_mse_offset": 0.1},
    "optim": {"optimizer": "adamw", "lr": 2e-3, "weight_decay": 1e-2, "beta1": 0.9, "beta2": 0.999,
              "warmup_steps": 100, "schedule": "cosine", "min_lr_fraction": 0.02, "grad_clip": 1.0, "ema": 0.995,
              "amp": "none"},
    "train": {"steps": 2000, "batch": 2, "seed": 0},
}


def read_config(path):
    cfg = {k: dict(v) for k, v in DEFAULTS.items()}
    with open(path) as f:
        for section, values in (yaml.safe_load(f) or {}).items():
            cfg.setdefault(section, {}).update(values or {})
    m, d, a = cfg["model"], cfg["data"], cfg["augment"]
    unsupported = []
    if m["arch"] != "unet3d" or m["head"] != "heatmap":
        unsupported.append("model: only unet3d with a heatmap head")
    if cfg["targets"]["kind"] != "gaussian":
        unsupported.append("targets.kind: only gaussian")
    if cfg["loss"]["kind"] != "weighted_mse":
        unsupported.append("loss.kind: only weighted_mse")
    if cfg["optim"]["optimizer"] != "adamw" or cfg["optim"]["amp"] != "none":
        unsupported.append("optim: only adamw without amp")
    if a["mixup"] > 0 or d["normalize"] != "zscore" or d["classes"]:
        unsupported.append("augment.mixup, data.normalize fixed and data.classes are not mirrored")
    if unsupported:
        raise SystemExit(f"{path}: this benchmark mirrors the default recipe only ({'; '.join(unsupported)})")
    if isinstance(d["crop"], int):
        d["crop"] = [d["crop"]] * 3
    return cfg


# ---------------------------------------------------------------------------------------------------
# Data: what tomopick's train/dataset.cpp does, the numpy/torch way.
def project_classes(project):
    """Every particle object of the copick config, in its order: (name, radius Å)."""
    with open(os.path.join(project, "copick_config.json")) as f:
        objs = json.load(f)["pickable_objects"]
    return [(o["name"], float(o["radius"])) for o in objs if o.get("is_particle", True)]


def project_runs(project):
    return sorted(os.path.basename(p) for p in glob.glob(os.path.join(project, "ExperimentRuns", "*"))
                  if os.path.isdir(p))


def axis_operator(n, old_A, new_A):
    """tomopick's resampling along one axis (core/resample.cpp) as an [m, n] matrix: output j samples
    input j * new/old (voxel 0 stays put) by linear interpolation, after a Gaussian of
    σ = 0.5 sqrt(f² - 1) input voxels when downsampling by f = new/old; edges repeat."""
    f = new_A / old_A
    last = (n - 1) * old_A / new_A
    m = int(math.floor(last + 1e-9 * max(1.0, last))) + 1
    sigma = 0.5 * math.sqrt(f * f - 1) if f > 1 else 0.0
    r = math.ceil(4 * sigma) if sigma > 0 else 0
    taps = torch.arange(-r, r + 1, dtype=torch.float64)
    g = torch.exp(-0.5 * (taps / sigma) ** 2) if r > 0 else torch.ones(1, dtype=torch.float64)
    g /= g.sum()
    p = (torch.arange(m, dtype=torch.float64) * f).clamp(0, n - 1)
    i0 = p.floor().long()
    t = p - i0
    w = torch.zeros(m, n, dtype=torch.float64)
    rows = torch.arange(m)
    for shift, wt in ((0, 1 - t), (1, t)):
        for j, k in enumerate(range(-r, r + 1)):
            w.index_put_((rows, (i0 + shift + k).clamp(0, n - 1)), wt * g[j], accumulate=True)
    return w.float()


def resample(vol, old_A, new_A):
    """[Z, Y, X] at old_A -> new_A Å: one matrix product per axis (z, then y, then x)."""
    wz, wy, wx = (axis_operator(n, old_A, new_A) for n in vol.shape)
    z, y, x = vol.shape
    v = (wz @ vol.reshape(z, -1)).view(-1, y, x)
    v = torch.matmul(wy, v)
    return (v @ wx.T).contiguous()


def zarr_level(path, spacing_A):
    """The finest multiscale level at or below the model's spacing (as tomopick picks it)."""
    g = zarr.open_group(path, mode="r")
    datasets = g.attrs["multiscales"][0]["datasets"]
    level, sp = datasets[0]["path"], None
    for i, d in enumerate(datasets):
        s = [t for t in d["coordinateTransformations"] if t["type"] == "scale"][0]["scale"][-1]
        if i == 0 or s <= spacing_A * 1.001:
            level, sp = d["path"], s
    return g[level], float(sp)


def tomogram_path(project, run, tomo_type):
    paths = glob.glob(os.path.join(project, "ExperimentRuns", run, "VoxelSpacing*", tomo_type + ".zarr"))
    if not paths:
        raise SystemExit(f"{project}: run {run} has no {tomo_type} tomogram")
    return sorted(paths, key=lambda p: float(os.path.basename(os.path.dirname(p))[len("VoxelSpacing"):]))[0]


def load_image(project, run, tomo_type, spacing_A):
    arr, sp = zarr_level(tomogram_path(project, run, tomo_type), spacing_A)
    vol = torch.from_numpy(arr[...].astype(np.float32, copy=False))
    if abs(sp - spacing_A) > 0.001 * spacing_A:
        vol = resample(vol, sp, spacing_A)
    v64 = vol.double()
    mean, sd = v64.mean().item(), v64.std(unbiased=False).item()
    return ((vol - mean) * (1 / (sd if sd > 0 else 1))).numpy()


def load_picks(project, run, classes):
    """{class index: [n, 3] (z, y, x) Å} from every pick file of the run (all users and sessions)."""
    index = {name: i for i, (name, _) in enumerate(classes)}
    out = {}
    for path in sorted(glob.glob(os.path.join(project, "ExperimentRuns", run, "Picks", "*.json"))):
        with open(path) as f:
            j = json.load(f)
        c = index.get(j.get("pickable_object_name"))
        pts = [[p["location"]["z"], p["location"]["y"], p["location"]["x"]] for p in j.get("points") or []]
        if c is not None and pts:
            out[c] = np.concatenate([out[c], np.array(pts)]) if c in out else np.array(pts, dtype=np.float64)
    return out


def load_runs(project, runs, cfg, classes):
    d = cfg["data"]
    return [{"name": r, "image": load_image(project, r, d["tomo_type"], d["spacing_A"]),
             "picks": load_picks(project, r, classes)} for r in runs]


class CropDataset(torch.utils.data.Dataset):
    """Crop i of the run: a random run, a random box (with probability data.particle_fraction one
    holding a random particle of a random class in its central 3/4), Gaussian heatmaps of every
    class's picks, then rot90 / flips and intensity scale, shift and noise."""

    def __init__(self, runs, cfg, classes, length):
        self.runs, self.cfg, self.length = runs, cfg, length
        self.sigma_A = [cfg["targets"]["sigma_fraction"] * r for _, r in classes]
        self.spacing = cfg["data"]["spacing_A"]

    def __len__(self):
        return self.length

    def __getitem__(self, i):
        rng = np.random.default_rng([self.cfg["train"]["seed"], i])
        d, a = self.cfg["data"], self.cfg["augment"]
        crop = d["crop"]
        run = self.runs[rng.integers(len(self.runs))]
        img, picks, sp = run["image"], run["picks"], self.spacing
        shape = img.shape
        begin = [int(rng.integers(0, n - c + 1)) if n > c else -((c - n) // 2) for n, c in zip(shape, crop)]
        if picks and rng.random() < d["particle_fraction"]:
            pts = picks[list(picks)[rng.integers(len(picks))]]
            p = pts[rng.integers(len(pts))]
            begin = []
            for pos, n, c in zip(p, shape, crop):
                m = c // 8
                b = int(round(pos / sp)) - int(rng.integers(m, c - m))
                begin.append(min(max(b, 0), n - c) if n > c else -((c - n) // 2))
        # the crop (zeros, the normalised mean, outside the tomogram)
        image = np.zeros(crop, np.float32)
        src = tuple(slice(max(b, 0), min(b + c, n)) for b, c, n in zip(begin, crop, shape))
        dst = tuple(slice(s.start - b, s.stop - b) for s, b in zip(src, begin))
        image[dst] = img[src]
        # Gaussian heatmaps: exp(-d²/2σ²) within 3σ of each pick, voxel-wise maximum
        target = np.zeros([len(self.sigma_A)] + list(crop), np.float32)
        lo = np.array(begin) * sp
        hi = (np.array(begin) + np.array(crop) - 1) * sp
        for c, pts in picks.items():
            s = self.sigma_A[c]
            reach = 3 * s
            near = pts[np.all((pts >= lo - reach) & (pts <= hi + reach), axis=1)]
            for p in near:
                a0 = np.maximum(np.ceil((p - reach) / sp).astype(int), begin)
                a1 = np.minimum(np.floor((p + reach) / sp).astype(int), np.array(begin) + np.array(crop) - 1)
                if np.any(a1 < a0):
                    continue
                zz, yy, xx = (np.arange(a0[k], a1[k] + 1) * sp - p[k] for k in range(3))
                g = np.exp(-(zz[:, None, None] ** 2 + yy[None, :, None] ** 2 + xx[None, None, :] ** 2) / (2 * s * s))
                box = (c,) + tuple(slice(a0[k] - begin[k], a1[k] + 1 - begin[k]) for k in range(3))
                np.maximum(target[box], g.astype(np.float32), out=target[box])
        # augmentation: quarter turns in y-x, flips, intensity
        k = int(rng.integers(4)) if a["rot90"] else 0
        flips = [a["flips"] and rng.random() < 0.5 for _ in range(3)]
        image, target = np.rot90(image, k, axes=(1, 2)), np.rot90(target, k, axes=(2, 3))
        for axis, f in enumerate(flips):
            if f:
                image, target = np.flip(image, axis), np.flip(target, axis + 1)
        scale = 1 + rng.uniform(-a["intensity_scale"], a["intensity_scale"])
        shift = rng.uniform(-a["intensity_shift"], a["intensity_shift"])
        image = image * np.float32(scale) + np.float32(shift)
        if a["noise"] > 0:
            image += np.float32(a["noise"]) * rng.standard_normal(image.shape, dtype=np.float32)
        return torch.from_numpy(np.ascontiguousarray(image)[None]), torch.from_numpy(np.ascontiguousarray(target))


# ---------------------------------------------------------------------------------------------------
# The step: tomopick's train/trainer.cpp, losses.cpp, optimizer.cpp.
def lr_at(o, step, total):
    if step < o["warmup_steps"]:
        return o["lr"] * (step + 1) / o["warmup_steps"]
    if o["schedule"] == "constant":
        return o["lr"]
    span = max(1, total - 1 - o["warmup_steps"])
    t = min(max((step - o["warmup_steps"]) / span, 0.0), 1.0)
    lo = o["lr"] * o["min_lr_fraction"]
    return lo + (o["lr"] - lo) * 0.5 * (1 + math.cos(math.pi * t))


class Trainer:
    def __init__(self, cfg, classes):
        m, o = cfg["model"], cfg["optim"]
        self.cfg = cfg
        self.net = HeatmapNet(classes=len(classes), channels=m["channels"], strides=m["strides"],
                              num_res_units=m["num_res_units"], norm=m["norm"], dropout=m["dropout"])
        self.ema = HeatmapNet(classes=len(classes), channels=m["channels"], strides=m["strides"],
                              num_res_units=m["num_res_units"], norm=m["norm"], dropout=m["dropout"])
        self.ema.load_state_dict(self.net.state_dict())
        self.ema.requires_grad_(False)
        self.ema_updates = 0
        self.opt = torch.optim.AdamW(self.net.parameters(), lr=o["lr"], betas=(o["beta1"], o["beta2"]),
                                     weight_decay=o["weight_decay"])
        self.class_w = torch.ones(1, len(classes), 1, 1, 1)

    def step(self, step, x, y):
        c, o = self.cfg, self.cfg["optim"]
        for g in self.opt.param_groups:
            g["lr"] = lr_at(o, step, c["train"]["steps"])
        self.net.train()
        logits = self.net(x)
        w = (y + c["loss"]["weighted_mse_offset"]) * self.class_w
        loss = (w * (torch.sigmoid(logits) - y).pow(2)).mean()
        value = loss.item()
        if not math.isfinite(value):
            raise SystemExit(f"the loss became {value} at step {step}")
        self.opt.zero_grad()
        loss.backward()
        if o["grad_clip"] > 0:
            torch.nn.utils.clip_grad_norm_(self.net.parameters(), o["grad_clip"])
        self.opt.step()
        with torch.no_grad():
            d = min(o["ema"], (1 + self.ema_updates) / (10 + self.ema_updates))
            for e, p in zip(self.ema.parameters(), self.net.parameters()):
                e.mul_(d).add_(p.detach(), alpha=1 - d)
            for e, b in zip(self.ema.buffers(), self.net.buffers()):
                e.copy_(b)
        self.ema_updates += 1
        return value


# ---------------------------------------------------------------------------------------------------
def run(cmd, **kw):
    print("$ " + " ".join(shlex.quote(c) for c in cmd), file=sys.stderr)
    p = subprocess.run(cmd, text=True, **kw)
    if p.returncode != 0:
        raise SystemExit(f"failed ({p.returncode}): {' '.join(cmd)}\n{(p.stderr or '')[-3000:]}")
    return p


def cpp_training(args, tmp):
    """`tomopick train`: steps/s from train_log.csv (time_s of every step), parameters from stdout."""
    out = os.path.join(tmp, "train")
    total = args.warmup + args.steps
    cmd = [os.path.join(args.build, "tomopick"), "--threads", str(args.threads), "train", "--config", args.config,
           "--data", args.project, "--out", out, "--steps", str(total), "--set", "train.val_every=0",
           "--set", "train.log_every=1", "--set", f"train.checkpoint_every={total}", "--overwrite"]
    if args.runs != "all":
        cmd += ["--train-runs", args.runs]
    p = run(cmd, capture_output=True)
    params = int(re.search(r"(\d+) parameters", p.stdout).group(1))
    with open(os.path.join(out, "train_log.csv")) as f:
        rows = [line.strip().split(",") for line in f][1:]
    t = {int(r[0]): float(r[1]) for r in rows}
    return args.steps / (t[total] - t[args.warmup]), params


def cpp_parts(args):
    exe = os.path.join(args.build, "bench", "bench_train")
    p = run([exe, "parts", args.config, args.project, str(args.steps), str(args.warmup), str(args.threads),
             args.runs], capture_output=True)
    vals = {}
    for line in p.stdout.splitlines():
        k, _, v = line.partition(" ")
        vals[k] = v
    return vals


def python_side(args, cfg, classes, runs):
    torch.set_num_threads(args.threads)
    torch.manual_seed(0)
    res = {}
    t0 = time.perf_counter()
    data = load_runs(args.project, runs, cfg, classes)
    res["load_s"] = time.perf_counter() - t0
    batch = cfg["train"]["batch"]
    total = args.warmup + args.steps

    # one batch of data on one thread
    ds = CropDataset(data, cfg, classes, batch * total)
    t0 = time.perf_counter()
    for s in range(args.steps):
        torch.utils.data.default_collate([ds[s * batch + i] for i in range(batch)])
    res["data_s_per_batch"] = (time.perf_counter() - t0) / args.steps

    # the network step on a fixed batch
    x, y = torch.utils.data.default_collate([ds[i] for i in range(batch)])
    tr = Trainer(cfg, classes)
    res["parameters"] = parameter_count(tr.net)
    timed = 0.0
    for s in range(total):
        t0 = time.perf_counter()
        tr.step(s, x, y)
        dt = time.perf_counter() - t0
        print(f"python net step {s}: {dt:.3f} s", file=sys.stderr)
        if s >= args.warmup:
            timed += dt
    res["net_s_per_step"] = timed / args.steps

    # training with a DataLoader, as a PyTorch user would write it
    workers = cfg["data"]["workers"]
    loader = torch.utils.data.DataLoader(ds, batch_size=batch, shuffle=False, num_workers=workers,
                                         prefetch_factor=cfg["data"]["prefetch"] if workers > 0 else 2)
    tr = Trainer(cfg, classes)
    t_start = None
    for s, (x, y) in enumerate(loader):
        tr.step(s, x, y)
        if s + 1 == args.warmup:
            t_start = time.perf_counter()
    res["steps_per_s"] = args.steps / (time.perf_counter() - t_start)
    return res


TCMALLOC = "/usr/lib/x86_64-linux-gnu/libtcmalloc_minimal.so.4"  # what tomopick links (CMakeLists.txt)


def python_in_subprocess(args, preload=None):
    """python_side in a fresh interpreter (optionally with an allocator preloaded): its results."""
    cmd = [sys.executable, os.path.abspath(__file__), "--python-side", args.project, "--config", args.config,
           "--steps", str(args.steps), "--warmup", str(args.warmup), "--threads", str(args.threads),
           "--runs", args.runs]
    env = dict(os.environ)
    if preload:
        env["LD_PRELOAD"] = preload
    p = run(cmd, capture_output=True, env=env)
    return json.loads(p.stdout.strip().splitlines()[-1])


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                 formatter_class=argparse.RawDescriptionHelpFormatter,
                                 usage=__doc__.split("\n\n")[1].strip()[len("usage: "):])
    ap.add_argument("build", nargs="?", default="build")
    ap.add_argument("project")
    ap.add_argument("--config", default=os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "configs",
                                                     "default.yaml"))
    ap.add_argument("--steps", type=int, default=60, help="timed steps (after the warm-up)")
    ap.add_argument("--warmup", type=int, default=10, help="steps not timed")
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--runs", default="all", help="runs to train on: all, or RUN,RUN,...")
    ap.add_argument("--model", help="a tomopick model file: check the reference loads it (and matches it)")
    ap.add_argument("--no-tcmalloc", action="store_true", help="skip the python3-torch + tcmalloc column")
    ap.add_argument("--python-side", action="store_true", help=argparse.SUPPRESS)  # internal
    args = ap.parse_args()
    if args.warmup < 1 or args.steps < 1:
        raise SystemExit("--warmup and --steps must be at least 1")
    args.config = os.path.normpath(args.config)
    if not os.path.exists(os.path.join(args.project, "copick_config.json")):
        raise SystemExit(f"{args.project}: not a copick project (no copick_config.json)")
    if not args.python_side and not os.access(os.path.join(args.build, "tomopick"), os.X_OK):
        raise SystemExit(f"no {args.build}/tomopick (build first, or give BUILD_DIR)")
    cfg = read_config(args.config)
    classes = project_classes(args.project)
    runs = project_runs(args.project) if args.runs == "all" else args.runs.split(",")
    if args.python_side:
        print(json.dumps(python_side(args, cfg, classes, runs)))
        return

    check = ""
    if args.model:
        net, _ = load_tomopick_model(args.model)
        check = f"; {args.model} loads strictly into the reference"
        p = subprocess.run([os.path.join(args.build, "bench", "bench_train"), "forward", args.model,
                            str(args.threads)], capture_output=True, text=True)
        if p.returncode == 0:
            ref = dict(line.split(" ", 1) for line in p.stdout.splitlines())
            torch.set_num_threads(args.threads)
            xin = torch.sin(torch.arange(48 * 64 * 64, dtype=torch.float32) * 0.001).view(1, 1, 48, 64, 64)
            with torch.no_grad():
                prob = torch.sigmoid(net(xin))
            flat = prob.flatten()
            first = [float(flat[i * 12345]) for i in range(8)]
            diff = max(abs(a - float(b)) for a, b in zip(first, ref["first"].split()))
            assert abs(prob.sum().item() - float(ref["sum"])) <= 1e-4 * abs(float(ref["sum"])), (prob.sum(), ref)
            assert diff < 1e-5, (first, ref["first"])
            check += f", with tomopick's outputs (max abs difference {diff:.1e})"

    with tempfile.TemporaryDirectory() as tmp:
        cpp_sps, cpp_params = cpp_training(args, tmp)
    parts = cpp_parts(args)
    sides = [("python3-torch", python_in_subprocess(args))]
    if not args.no_tcmalloc and os.path.exists(TCMALLOC):
        sides.append(("python3-torch + tcmalloc", python_in_subprocess(args, TCMALLOC)))
    for _, py in sides:
        assert py["parameters"] == cpp_params, \
            f"parameter counts differ: Python {py['parameters']}, tomopick {cpp_params}"

    cpp_net = float(parts["net_s_per_step"]) if "net_s_per_step" in parts else None
    cpp_data, cpp_load = float(parts["data_s_per_batch"]), float(parts["load_s"])
    d = cfg["data"]
    cmd = "/usr/bin/python3 bench/train_speed.py " + " ".join(shlex.quote(a) for a in sys.argv[1:])
    print(f"`{cmd}`\n")
    print(f"unet3d {d['crop'][0]}x{d['crop'][1]}x{d['crop'][2]} crops at {d['spacing_A']:g} Å, batch "
          f"{cfg['train']['batch']}, {len(classes)} classes, {cpp_params} parameters on both sides{check}; "
          f"{args.threads} threads, {len(runs)} run(s), {args.steps} steps timed after {args.warmup}; "
          f"data loading: tomopick {d['workers']} worker thread(s), torch DataLoader {d['workers']} worker "
          f"process(es), {d['prefetch']} batches ahead; python3-torch {torch.__version__}. Speed-up = "
          f"python3-torch time / tomopick time.\n")
    print("| | tomopick (C++) | " + " | ".join(f"{n} (speed-up)" for n, _ in sides) + " |")
    print("|---|---|" + "---|" * len(sides))

    def row(label, cpp, key, fmt, faster_is_larger=False):
        cells = []
        for _, py in sides:
            v = py[key]
            ratio = (cpp / v if faster_is_larger else v / cpp) if cpp else None
            cells.append(f"{fmt(v)}" + (f" ({ratio:.2f}x)" if ratio else ""))
        print(f"| {label} | {fmt(cpp) if cpp else 'n/a'} | " + " | ".join(cells) + " |")

    row("training, data loading included (steps/s)", cpp_sps, "steps_per_s", lambda v: f"{v:.2f}", True)
    row("network step alone, fixed batch (s)", cpp_net, "net_s_per_step", lambda v: f"{v:.3f}")
    shares = [f"{max(0.0, 1 - py['net_s_per_step'] * py['steps_per_s']):.0%}" for _, py in sides]
    print(f"| data loading's share of a training step | "
          f"{f'{max(0.0, 1 - cpp_net * cpp_sps):.0%}' if cpp_net else 'n/a'} | " + " | ".join(shares) + " |")
    row("one batch of data, one thread (ms)", cpp_data, "data_s_per_batch", lambda v: f"{1e3 * v:.1f}")
    row("loading the runs: read, resample, z-score (s)", cpp_load, "load_s", lambda v: f"{v:.1f}")
    if not cpp_net:
        print(f"\n(tomopick's network step: {parts.get('net', 'unavailable')})")


if __name__ == "__main__":
    main()
