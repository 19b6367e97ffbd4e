"""PyTorch references for the catalogue entries torchvision lacks, with ResNetSharp's state-dict names.

- He et al. 2016, "Deep Residual Learning", section 4.2: the CIFAR ResNets (3x3 stem with 16 channels,
  three stages of n basic blocks at 16, 32 and 64 channels, option-A shortcuts: take every second pixel
  and zero-pad the new channels, split evenly before and after as the widely used PyTorch version does)
  and their plain twins (the same layers without shortcuts).
- He et al. 2016, "Identity Mappings in Deep Residual Networks": pre-activation blocks (BN-ReLU-conv),
  a projection shortcut fed the pre-activated input (a bare 1x1 convolution), a stem without norm, and a
  final BN-ReLU before pooling, as timm's resnetv2 models.

/usr/bin/python3 paper_resnets.py OUT_DIR SEED NAME...
  OUT_DIR/NAME.safetensors     the state dict: random weights and BatchNorm statistics
  OUT_DIR/NAME.io.safetensors  "input" (2x3x32x32, or 2x3x64x48 for ImageNet stems) and eval-mode "logits"
Prints one JSON object: {NAME: {"params": N, "macs": M (per sample at that input), "layout": [[key, shape], ...]}}.
"""
import json
import re
import sys

import torch
import torch.nn as nn
import torch.nn.functional as F

from safetensors_io import save_safetensors


def conv3x3(cin, cout, stride=1):
    return nn.Conv2d(cin, cout, 3, stride, 1, bias=False)


def conv1x1(cin, cout, stride=1):
    return nn.Conv2d(cin, cout, 1, stride, 0, bias=False)


class CifarBlock(nn.Module):
    """Two 3x3 conv-BN pairs; the shortcut is the identity, option A (subsample + zero channels) or absent."""

    def __init__(self, cin, cout, stride, plain):
        super().__init__()
        self.conv1 = conv3x3(cin, cout, stride)
        self.bn1 = nn.BatchNorm2d(cout)
        self.conv2 = conv3x3(cout, cout)
        self.bn2 = nn.BatchNorm2d(cout)
        self.plain = plain
        self.stride, self.extra = stride, cout - cin

    def shortcut(self, x):
        if self.stride != 1:
            x = x[:, :, ::self.stride, ::self.stride]
        if self.extra:
            x = F.pad(x, (0, 0, 0, 0, self.extra // 2, self.extra - self.extra // 2))
        return x

    def forward(self, x):
        out = self.bn2(self.conv2(F.relu(self.bn1(self.conv1(x)))))
        if not self.plain:
            out = out + self.shortcut(x)
        return F.relu(out)


class CifarResNet(nn.Module):
    def __init__(self, depth, plain, classes=10):
        super().__init__()
        n = (depth - 2) // 6
        self.conv1 = conv3x3(3, 16)
        self.bn1 = nn.BatchNorm2d(16)
        cin = 16
        for i, width in enumerate([16, 32, 64]):
            blocks = []
            for j in range(n):
                blocks.append(CifarBlock(cin, width, 2 if i > 0 and j == 0 else 1, plain))
                cin = width
            setattr(self, f"layer{i + 1}", nn.Sequential(*blocks))
        self.fc = nn.Linear(64, classes)

    def forward(self, x):
        x = F.relu(self.bn1(self.conv1(x)))
        x = self.layer3(self.layer2(self.layer1(x)))
        return self.fc(x.mean((2, 3)))


class PreActBlock(nn.Module):
    """p = relu(bn1(x)); out = branch(p) + (a 1x1 projection of p where the shape changes, else x)."""

    def add_projection(self, cin, cout, stride):
        if stride != 1 or cin != cout:
            self.downsample = nn.Sequential(conv1x1(cin, cout, stride))

    def forward(self, x):
        pre = F.relu(self.bn1(x))
        shortcut = self.downsample(pre) if hasattr(self, "downsample") else x
        return self.branch(pre) + shortcut


class PreActBasic(PreActBlock):
    expansion = 1

    def __init__(self, cin, planes, stride):
        super().__init__()
        self.bn1 = nn.BatchNorm2d(cin)
        self.conv1 = conv3x3(cin, planes, stride)
        self.bn2 = nn.BatchNorm2d(planes)
        self.conv2 = conv3x3(planes, planes)
        self.add_projection(cin, planes, stride)

    def branch(self, pre):
        return self.conv2(F.relu(self.bn2(self.conv1(pre))))


class PreActBottleneck(PreActBlock):
    expansion = 4

    def __init__(self, cin, planes, stride):
        super().__init__()
        self.bn1 = nn.BatchNorm2d(cin)
        self.conv1 = conv1x1(cin, planes)
        self.bn2 = nn.BatchNorm2d(planes)
        self.conv2 = conv3x3(planes, planes, stride)
        self.bn3 = nn.BatchNorm2d(planes)
        self.conv3 = conv1x1(planes, planes * 4)
        self.add_projection(cin, planes * 4, stride)

    def branch(self, pre):
        out = self.conv2(F.relu(self.bn2(self.conv1(pre))))
        return self.conv3(F.relu(self.bn3(out)))


class PreActResNet(nn.Module):
    def __init__(self, block, layers, cifar, classes):
        super().__init__()
        self.cifar = cifar
        self.conv1 = conv3x3(3, 64) if cifar else nn.Conv2d(3, 64, 7, 2, 3, bias=False)
        cin = 64
        for i, (planes, count) in enumerate(zip([64, 128, 256, 512], layers)):
            blocks = []
            for j in range(count):
                blocks.append(block(cin, planes, 2 if i > 0 and j == 0 else 1))
                cin = planes * block.expansion
            setattr(self, f"layer{i + 1}", nn.Sequential(*blocks))
        self.norm = nn.BatchNorm2d(cin)
        self.fc = nn.Linear(cin, classes)

    def forward(self, x):
        x = self.conv1(x)
        if not self.cifar:
            x = F.max_pool2d(x, 3, 2, 1)
        x = self.layer4(self.layer3(self.layer2(self.layer1(x))))
        x = F.relu(self.norm(x))
        return self.fc(x.mean((2, 3)))


def build(name):
    if name.startswith("resnet") or name.startswith("plain"):
        return CifarResNet(int(re.sub(r"\D", "", name)), plain=name.startswith("plain")), (32, 32)
    depth = name.split("_")[1][len("resnet"):]
    cifar = name.endswith("_cifar")
    block, layers = {"18": (PreActBasic, [2, 2, 2, 2]), "34": (PreActBasic, [3, 4, 6, 3]),
                     "50": (PreActBottleneck, [3, 4, 6, 3])}[depth]
    return PreActResNet(block, layers, cifar, 10 if cifar else 1000), (32, 32) if cifar else (64, 48)


def count_macs(model, x):
    macs = []

    def hook(module, inputs, output):
        if isinstance(module, nn.Conv2d):
            k = module.kernel_size[0] * module.kernel_size[1]
            macs.append(output.numel() // output.shape[0] * (module.in_channels // module.groups) * k)
        else:
            macs.append(module.in_features * module.out_features)

    handles = [m.register_forward_hook(hook) for m in model.modules() if isinstance(m, (nn.Conv2d, nn.Linear))]
    with torch.no_grad():
        model(x[:1])
    for h in handles:
        h.remove()
    return sum(macs)


out_dir, seed, names = sys.argv[1], int(sys.argv[2]), sys.argv[3:]
report = {}
for name in names:
    torch.manual_seed(seed)
    model, (height, width) = build(name)
    with torch.no_grad():
        for module in model.modules():
            if isinstance(module, nn.BatchNorm2d):
                module.weight.uniform_(0.5, 1.5)
                module.bias.normal_(0, 0.1)
                module.running_mean.normal_(0, 0.1)
                module.running_var.uniform_(0.5, 1.5)
    model.eval()
    x = torch.randn(2, 3, height, width)
    with torch.no_grad():
        logits = model(x)
    save_safetensors(f"{out_dir}/{name}.safetensors", model.state_dict())
    save_safetensors(f"{out_dir}/{name}.io.safetensors", {"input": x, "logits": logits})
    report[name] = {
        "params": sum(p.numel() for p in model.parameters()),
        "macs": count_macs(model, x),
        "layout": [[k, list(v.shape)] for k, v in model.state_dict().items()],
    }
print(json.dumps(report))
