#!/usr/bin/env python3
"""Load test for `resnet serve`, on loopback only: one-at-a-time against dynamic batching, same run.

  python3 bench/serve_load.py [--model resnet18_cifar] [--image-size N] [--engine onnxruntime|torchsharp]
                              [--clients 16] [--seconds 10] [--requests 20000] [--rounds 3]
                              [--max-batch 32] [--max-wait-ms 5] [--json]

It makes the model with seeded random weights (torchvision's layout, written by Debian's torch; the
CIFAR-stem models as Fashion-MNIST's, 1x28x28), exports it to ONNX for --engine onnxruntime, makes a few
PNGs (28x28 for CIFAR-stem models, else 320x240), and starts one `resnet serve` per configuration on 127.0.0.1 (ports chosen by the servers).
After a warm-up it measures windows that alternate between the two: N concurrent clients (one keep-alive
connection each) send requests until the window's time or request count runs out, whichever comes first. It reports throughput, latency percentiles, the mean batch
size the server ran (from its /metrics) and errors, and the throughput ratio dynamic / one-at-a-time.
Configurations: "one at a time" is --max-batch 1 (each request is its own model call, in arrival order);
"dynamic" is --max-batch N --max-wait-ms W. Nothing but 127.0.0.1 is contacted; every loop is bounded.
"""
import argparse
import http.client
import json
import os
import random
import re
import signal
import socket
import struct
import subprocess
import tempfile
import threading
import time
import zlib

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def resnet_command():
    dll = os.path.join(REPO, "src/ResNetSharp.Cli/bin/Release/net10.0/resnet.dll")
    subprocess.run(["dotnet", "build", "-c", "Release", os.path.join(REPO, "src/ResNetSharp.Cli"), "-v", "quiet", "-nologo"],
                   check=True, stdout=subprocess.DEVNULL)
    return ["dotnet", dll]


def make_model(resnet, folder, model, engine, image_size):
    """Serve options for MODEL with seeded random weights in torchvision's layout, written by Debian's torch.
    The CIFAR-stem models (3x3 stem, no max-pool) are built as Fashion-MNIST's: one input channel, 28x28."""
    cifar = model.endswith("_cifar")
    base = model.removesuffix("_cifar")
    weights = os.path.join(folder, f"{model}.pth")
    subprocess.run(["/usr/bin/python3", "-c", WRITE_WEIGHTS, base, "1" if cifar else "0", weights], check=True)
    common = ["--model", model, "--weights", weights, "--image-size", str(image_size or (28 if cifar else 224))]
    if engine == "onnxruntime":
        onnx = os.path.join(folder, "model.onnx")
        subprocess.run(resnet + ["export", *common, "--device", "cpu", "-o", onnx], check=True, stdout=subprocess.DEVNULL)
        return ["--onnx", onnx]
    return common + ["--device", "cpu", "--engine", "torchsharp"]


WRITE_WEIGHTS = """
import sys, torch, torchvision
arch, cifar, out = sys.argv[1], sys.argv[2] == "1", sys.argv[3]
torch.manual_seed(0)
model = getattr(torchvision.models, arch)(num_classes=10)
if cifar:
    model.conv1 = torch.nn.Conv2d(1, 64, 3, 1, 1, bias=False)
torch.save(model.state_dict(), out)
"""


def png(width, height, pixel):
    """A PNG (RGB, 8 bits) from pixel(x, y) -> (r, g, b), with the standard library alone."""
    rows = b"".join(b"\x00" + bytes(v for x in range(width) for v in pixel(x, y)) for y in range(height))

    def chunk(kind, data):
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(rows, 6)) + chunk(b"IEND", b"")


def make_images(count=8, width=320, height=240):
    rng = random.Random(0)
    return [png(width, height, lambda x, y, i=i: ((x * 255 // width + 40 * i) % 256, y * 255 // height, rng.randrange(256)))
            for i in range(count)]


class Server:
    def __init__(self, resnet, model_args, max_batch, max_wait_ms):
        self.process = subprocess.Popen(
            resnet + ["serve", *model_args, "--host", "127.0.0.1", "--port", "0", "--max-batch", str(max_batch),
                      "--max-wait-ms", str(max_wait_ms), "--max-queue", "4096"],
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        line = self.process.stdout.readline()
        match = re.search(r"listening on http://127\.0\.0\.1:(\d+)", line)
        if not match:
            self.process.kill()
            raise SystemExit(f"resnet serve did not start: {line} {self.process.stderr.read()}")
        self.port = int(match.group(1))

    def metric(self, name):
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
        connection.request("GET", "/metrics")
        text = connection.getresponse().read().decode()
        connection.close()
        match = re.search(rf"^{name} (\S+)$", text, re.MULTILINE)
        return float(match.group(1)) if match else 0.0

    def stop(self):
        self.process.send_signal(signal.SIGTERM)
        try:
            return self.process.wait(timeout=60)
        except subprocess.TimeoutExpired:
            self.process.kill()
            return -9


def connect(port):
    """A keep-alive connection with Nagle's algorithm off: http.client sends a body over 2,920 bytes apart
    from its headers, and Nagle plus delayed ACKs would then stall every request by about 40 ms."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    connection.connect()
    connection.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    return connection


def run_clients(port, images, clients, seconds, max_requests):
    """Each client sends requests on its own connection until the deadline or the shared request budget."""
    deadline = time.monotonic() + seconds
    budget = [max_requests]
    lock = threading.Lock()
    latencies, errors = [], [0]

    def client(index):
        connection = connect(port)
        n = index
        while time.monotonic() < deadline:
            with lock:
                if budget[0] <= 0:
                    break
                budget[0] -= 1
            body = images[n % len(images)]
            n += clients
            start = time.perf_counter()
            try:
                connection.request("POST", "/v1/predict", body=body, headers={"Content-Type": "image/png"})
                response = connection.getresponse()
                response.read()
                ok = response.status == 200
            except (OSError, http.client.HTTPException):
                ok = False
                connection.close()
                connection = connect(port)
            elapsed = time.perf_counter() - start
            with lock:
                if ok:
                    latencies.append(elapsed)
                else:
                    errors[0] += 1
        connection.close()

    threads = [threading.Thread(target=client, args=(i,)) for i in range(clients)]
    started = time.monotonic()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return latencies, errors[0], time.monotonic() - started


def percentile(values, p):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(p / 100 * (len(ordered) - 1))))] if ordered else float("nan")


def measure(resnet, model_args, images, args):
    """Both servers run side by side; measurement windows alternate between them (one at a time, dynamic,
    one at a time, ...) so that load from elsewhere on the machine falls on both alike."""
    configs = [("one at a time", 1, 0), ("dynamic", args.max_batch, args.max_wait_ms)]
    servers = []
    try:
        for _, max_batch, max_wait_ms in configs:
            servers.append(Server(resnet, model_args, max_batch, max_wait_ms))
        for server in servers:
            run_clients(server.port, images, args.clients, min(3, args.seconds), 10 ** 9)  # warm-up, not counted
        totals = [{"latencies": [], "errors": 0, "seconds": 0.0, "images": 0.0, "batches": 0.0, "rounds": []} for _ in configs]
        for _ in range(args.rounds):
            for server, total in zip(servers, totals):
                sum_before, count_before = server.metric("resnet_batch_size_sum"), server.metric("resnet_batch_size_count")
                latencies, errors, elapsed = run_clients(server.port, images, args.clients, args.seconds, args.requests)
                total["images"] += server.metric("resnet_batch_size_sum") - sum_before
                total["batches"] += server.metric("resnet_batch_size_count") - count_before
                total["latencies"] += latencies
                total["errors"] += errors
                total["seconds"] += elapsed
                total["rounds"].append(len(latencies) / elapsed)
    finally:
        exits = [server.stop() for server in servers]
    rows = []
    for (label, max_batch, max_wait_ms), total, exit_code in zip(configs, totals, exits):
        latencies = total["latencies"]
        rows.append({
            "config": label, "maxBatch": max_batch, "maxWaitMs": max_wait_ms, "clients": args.clients,
            "requests": len(latencies), "errors": total["errors"], "seconds": round(total["seconds"], 2),
            "throughput": round(len(latencies) / total["seconds"], 1),
            "roundThroughputs": [round(r, 1) for r in total["rounds"]],
            "p50Ms": round(percentile(latencies, 50) * 1000, 1), "p95Ms": round(percentile(latencies, 95) * 1000, 1),
            "p99Ms": round(percentile(latencies, 99) * 1000, 1),
            "meanBatch": round(total["images"] / total["batches"], 2) if total["batches"] else float("nan"),
            "serverExit": exit_code,
        })
    return rows


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", default="resnet18_cifar")
    parser.add_argument("--image-size", type=int, help="crop the model is served at (default: its training size)")
    parser.add_argument("--engine", choices=["onnxruntime", "torchsharp"], default="onnxruntime")
    parser.add_argument("--clients", type=int, default=16)
    parser.add_argument("--seconds", type=float, default=10, help="length of one measurement window")
    parser.add_argument("--requests", type=int, default=20000, help="most requests in one window")
    parser.add_argument("--rounds", type=int, default=3, help="windows per configuration, alternating")
    parser.add_argument("--max-batch", type=int, default=32)
    parser.add_argument("--max-wait-ms", type=int, default=5)
    parser.add_argument("--image-px", help="WxH of the uploaded PNGs (default: 28x28 for CIFAR-stem models, as Fashion-MNIST's, else 320x240)")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    resnet = resnet_command()
    with tempfile.TemporaryDirectory(prefix="resnet-serve-load-") as folder:
        model_args = make_model(resnet, folder, args.model, args.engine, args.image_size)
        width, height = (int(v) for v in (args.image_px or ("28x28" if args.model.endswith("_cifar") else "320x240")).split("x"))
        images = make_images(width=width, height=height)
        rows = measure(resnet, model_args, images, args)
    ratio = rows[1]["throughput"] / rows[0]["throughput"]
    if args.json:
        print(json.dumps({"model": args.model, "imageSize": args.image_size, "engine": args.engine, "rows": rows,
                          "ratio": round(ratio, 2)}, indent=2))
        return
    size = args.image_size or (28 if args.model.endswith("_cifar") else 224)
    print(f"{args.model} at {size}x{size} ({len(images)} PNGs of {width}x{height}), {args.engine}, {args.clients} clients, {args.rounds} alternating windows of "
          f"{args.seconds:g} s (or {args.requests} requests) per configuration")
    print("| configuration | requests | errors | requests/s (per window) | p50 ms | p95 ms | p99 ms | mean batch |")
    print("|---|---|---|---|---|---|---|---|")
    for r in rows:
        name = f"{r['config']} (--max-batch {r['maxBatch']}, --max-wait-ms {r['maxWaitMs']})"
        windows = ", ".join(f"{t:g}" for t in r["roundThroughputs"])
        print(f"| {name} | {r['requests']} | {r['errors']} | {r['throughput']} ({windows}) | {r['p50Ms']} | {r['p95Ms']} | "
              f"{r['p99Ms']} | {r['meanBatch']} |")
    print(f"\ndynamic / one at a time throughput: {ratio:.2f}")


if __name__ == "__main__":
    main()
