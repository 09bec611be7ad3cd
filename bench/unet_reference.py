"""tomopick's unet3d heatmap network as a plain PyTorch nn.Module, for the Python side of the benchmarks.

Mirrors src/tomopick/nn/unet3d.cpp and heatmap_net.cpp module for module (a MONAI-style residual
U-Net: per level a strided ResidualUnit down, a skip connection by concatenation, a transposed
convolution plus a ResidualUnit up; Conv3d -> InstanceNorm3d(affine) -> PReLU), with the same
submodule names, so its state_dict keys ("unet3d.model.0.0.conv.0.0.weight", ...) are the ones in a
tomopick model file or checkpoint and `load_tomopick_weights` can fill it from one.

    from unet_reference import HeatmapNet, load_tomopick_model
    net = HeatmapNet(channels=[16, 32, 64, 128], strides=[2, 2, 2], num_res_units=1, classes=6)

Run as a script it prints the parameter count (and checks it against a model file when given one):
    /usr/bin/python3 bench/unet_reference.py [MODEL.pt]
"""
import json

import torch
import torch.nn as nn
import torch.nn.functional as F


class _Chain(nn.Sequential):
    """LibTorch's Sequential names its children "0", "1", ... as nn.Sequential does."""


def _nda(seq, ch, norm, dropout):
    # Norm -> Dropout -> Activation, MONAI's default "NDA" order.
    seq.append(nn.BatchNorm3d(ch) if norm == "batch" else nn.InstanceNorm3d(ch, affine=True))
    if dropout > 0:
        seq.append(nn.Dropout3d(dropout))
    seq.append(nn.PReLU())


def _conv(cin, cout, stride, norm, dropout, conv_only):
    s = _Chain(nn.Conv3d(cin, cout, 3, stride=stride, padding=1))
    if not conv_only:
        _nda(s, cout, norm, dropout)
    return s


class ResidualUnit(nn.Module):
    """`subunits` convolutions (the first strided) plus a residual path: the identity, or a strided
    3x3x3 / 1x1x1 convolution when the shape changes."""

    def __init__(self, cin, cout, stride, subunits, norm, dropout, last_conv_only):
        super().__init__()
        n = max(1, subunits)
        body, c = _Chain(), cin
        for i in range(n):
            body.append(_conv(c, cout, stride if i == 0 else 1, norm, dropout, last_conv_only and i == n - 1))
            c = cout
        self.conv = body
        self.residual = None
        if stride != 1 or cin != cout:
            k = 3 if stride != 1 else 1
            self.residual = nn.Conv3d(cin, cout, k, stride=stride, padding=k // 2)

    def forward(self, x):
        r = self.residual(x) if self.residual is not None else x
        return self.conv(x) + r


class Skip(nn.Module):
    def __init__(self, sub):
        super().__init__()
        self.submodule = sub

    def forward(self, x):
        return torch.cat([x, self.submodule(x)], 1)


class UNet3d(nn.Module):
    def __init__(self, in_channels=1, out_channels=6, channels=(16, 32, 64, 128), strides=(2, 2, 2),
                 num_res_units=1, norm="instance", dropout=0.0):
        super().__init__()
        assert len(strides) + 1 == len(channels) and len(channels) >= 2
        self.channels, self.strides = list(channels), list(strides)
        self.num_res_units, self.norm, self.dropout = num_res_units, norm, dropout
        self.model = self._block(in_channels, out_channels, 0)
        self.total_stride = 1
        for s in strides:
            self.total_stride *= s

    def _down(self, cin, cout, stride):
        if self.num_res_units > 0:
            return _Chain(ResidualUnit(cin, cout, stride, self.num_res_units, self.norm, self.dropout, False))
        return _Chain(_conv(cin, cout, stride, self.norm, self.dropout, False))

    def _up(self, cin, cout, stride, top):
        # output_padding = stride - 1 makes the transposed convolution exactly undo the strided one.
        s = _Chain(nn.ConvTranspose3d(cin, cout, 3, stride=stride, padding=1, output_padding=stride - 1))
        if not (top and self.num_res_units == 0):
            _nda(s, cout, self.norm, self.dropout)
        if self.num_res_units > 0:
            s.append(ResidualUnit(cout, cout, 1, 1, self.norm, self.dropout, top))
        return s

    def _block(self, cin, cout, level):
        c, s = self.channels[level], self.strides[level]
        if level + 2 < len(self.channels):
            sub = self._block(c, self.channels[level + 1], level + 1)
        else:
            sub = self._down(c, self.channels[level + 1], 1)  # the bottom
        return _Chain(self._down(cin, c, s), Skip(sub), self._up(c + self.channels[level + 1], cout, s, level == 0))

    def forward(self, x):
        t = self.total_stride
        z, y, w = x.shape[2:]
        pz, py, px = (t - z % t) % t, (t - y % t) % t, (t - w % t) % t
        if pz or py or px:
            x = F.pad(x, (0, px, 0, py, 0, pz), mode="replicate")
        out = self.model(x)
        if pz or py or px:
            out = out[:, :, :z, :y, :w]
        return out


class HeatmapNet(nn.Module):
    """The unet3d heatmap head: logits [N, classes, Z, Y, X]; probabilities = sigmoid."""

    def __init__(self, classes=6, **unet):
        super().__init__()
        self.unet3d = UNet3d(out_channels=classes, **unet)

    def forward(self, x):
        return self.unet3d(x)


def parameter_count(m):
    return sum(p.numel() for p in m.parameters() if p.requires_grad)


def load_tomopick_model(path):
    """(HeatmapNet with the file's weights, its description dict) from a tomopick model file or
    checkpoint (a LibTorch archive, which torch.jit.load reads: weights under "model." or, in a
    checkpoint, the EMA weights under "ema.", the description as the JSON string attribute "info")."""
    arc = torch.jit.load(path, map_location="cpu")
    info = json.loads(arc.info)
    m = info["model"]
    if m["arch"] != "unet3d" or m["head"] != "heatmap":
        raise SystemExit(f"{path}: a {m['arch']} {m['head']} model; this reference is unet3d heatmap only")
    net = HeatmapNet(classes=len(info["classes"]), channels=m["channels"], strides=m["strides"],
                     num_res_units=m["num_res_units"], norm=m["norm"], dropout=m["dropout"])
    params = dict(arc.named_parameters())
    prefix = "ema." if any(k.startswith("ema.") for k in params) else "model."
    sd = {k[len(prefix):]: v.detach().clone() for k, v in params.items() if k.startswith(prefix)}
    net.load_state_dict(sd, strict=True)  # every name and shape must match: the architectures agree
    return net.eval(), info


if __name__ == "__main__":
    import sys

    if len(sys.argv) > 1:
        net, info = load_tomopick_model(sys.argv[1])
        print(f"{sys.argv[1]}: loaded strictly into the reference; {parameter_count(net)} parameters, "
              f"{len(info['classes'])} classes")
    else:
        print(f"default unet3d (6 classes): {parameter_count(HeatmapNet())} parameters")
