#!/usr/bin/env python3
"""Times Apus's matmul / linear / conv1d / random / dropout against OpenBLAS and PyTorch.

Usage:  /root/apus-ref/bin/python scripts/bench_matmul.py [--reps N] [--skip-swift]

The Swift side is a tiny release-built executable in a scratch package outside the repository
(default /tmp/apus-bench-matmul) whose targets are symlinks to this checkout's Sources/Tensors
and Sources/COpenBLAS, so no benchmark target is added to the project. It prints one line per
case; this script runs PyTorch (2 threads) on the same shapes and prints GFLOP/s and ratios.
Timings are the best of several runs: the machine is shared, the best run is the least disturbed.
"""
import argparse
import os
import subprocess
import sys
import time

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

PACKAGE_SWIFT = r'''// swift-tools-version:6.0
import PackageDescription

// The project's flags, except the CPU: this toolchain's clang knows the AVX2/FMA level as
// "haswell", not "x86-64-v3".
let flags: [SwiftSetting] = [
    .unsafeFlags(["-Ounchecked", "-target-cpu", "haswell", "-enforce-exclusivity=unchecked"],
                 .when(configuration: .release)),
]

let package = Package(
    name: "ApusBenchMatmul",
    targets: [
        .systemLibrary(name: "COpenBLAS", path: "Sources/COpenBLAS", pkgConfig: "openblas"),
        .target(name: "Tensors", dependencies: ["COpenBLAS"], path: "Sources/Tensors", swiftSettings: flags),
        .executableTarget(name: "bench", dependencies: ["Tensors", "COpenBLAS"], path: "Sources/bench",
                          swiftSettings: flags),
    ],
    swiftLanguageModes: [.v5]
)
'''

MAIN_SWIFT = r'''import COpenBLAS
import Foundation
import Tensors

func now() -> Double {
    var ts = timespec()
    clock_gettime(CLOCK_MONOTONIC, &ts)
    return Double(ts.tv_sec) + Double(ts.tv_nsec) * 1e-9
}

/// Best time of `reps` runs after one warm-up run.
func best(_ reps: Int, _ body: () throws -> Void) rethrows -> Double {
    try body()
    var result = Double.infinity
    for _ in 0..<reps {
        let start = now()
        try body()
        result = min(result, now() - start)
    }
    return result
}

/// Best times of two bodies run alternately, so both see the same background load.
func bestPair(_ reps: Int, _ first: () throws -> Void, _ second: () throws -> Void) rethrows -> (Double, Double) {
    try first(); try second()
    var a = Double.infinity, b = Double.infinity
    for _ in 0..<reps {
        var start = now()
        try first()
        a = min(a, now() - start)
        start = now()
        try second()
        b = min(b, now() - start)
    }
    return (a, b)
}

func report(_ name: String, _ seconds: Double, flops: Double) {
    print("\(name) \(seconds) \(flops)")
    fflush(stdout)
}

let reps = Int(CommandLine.arguments.dropFirst().first ?? "") ?? 10
let g = Generator(seed: 1)

// SGEMM 1024 x 1024 x 1024.
let n = 1024
let a = try Tensor.randn([n, n], generator: g), b = try Tensor.randn([n, n], generator: g)
let c = Tensor.zeros([n, n])
let gemmFlops = 2.0 * Double(n * n * n)
let (gemmApus, gemmDirect) = try bestPair(reps, { _ = try a.matmul(b) }, {
    withExtendedLifetime((a, b, c)) {
        cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, Int32(n), Int32(n), Int32(n), 1,
                    a.floatPointer, Int32(n), b.floatPointer, Int32(n), 0, c.floatPointer, Int32(n))
    }
})
report("sgemm1024_apus_matmul", gemmApus, flops: gemmFlops)
report("sgemm1024_cblas_direct", gemmDirect, flops: gemmFlops)
report("sgemm1024_apus_matmul_transposed_b", try best(reps) { _ = try a.matmul(b.T) }, flops: gemmFlops)

// Attention scores: [12, 128, 64] x [12, 128, 64]^T.
let q = try Tensor.randn([12, 128, 64], generator: g), k = try Tensor.randn([12, 128, 64], generator: g)
let scores = Tensor.zeros([12, 128, 128])
let attentionFlops = 2.0 * 12 * 128 * 128 * 64
let attentionReps = reps * 20
let (attentionApus, attentionLoop) = try bestPair(attentionReps, { _ = try q.matmul(k.transpose(-1, -2)) }, {
    withExtendedLifetime((q, k, scores)) {
        for h in 0..<12 {
            cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, 128, 128, 64, 1,
                        q.floatPointer + h * 128 * 64, 64, k.floatPointer + h * 128 * 64, 64, 0,
                        scores.floatPointer + h * 128 * 128, 128)
        }
    }
})
report("attention_apus_matmul", attentionApus, flops: attentionFlops)
report("attention_cblas_loop", attentionLoop, flops: attentionFlops)

// A BERT-base feed-forward layer: [512, 768] -> 3072 with bias.
let x = try Tensor.randn([4, 128, 768], generator: g)
let w = try Tensor.randn([3072, 768], generator: g), bias = try Tensor.randn([3072], generator: g)
report("linear_apus", try best(reps) { _ = try x.linear(weight: w, bias: bias) },
       flops: 2.0 * 512 * 768 * 3072)

// Decoding step: one row through a [2048, 576] projection (matrix-vector).
let row = try Tensor.randn([1, 576], generator: g), proj = try Tensor.randn([2048, 576], generator: g)
report("linear_row_apus", try best(attentionReps) { _ = try row.linear(weight: proj) },
       flops: 2.0 * 576 * 2048)

// Whisper-tiny's first convolution: [1, 80, 3000] with [384, 80, 3], padding 1.
let audio = try Tensor.randn([1, 80, 3000], generator: g), kernel = try Tensor.randn([384, 80, 3], generator: g)
report("conv1d_apus", try best(reps) { _ = try audio.conv1d(weight: kernel, padding: 1) },
       flops: 2.0 * 384 * 240 * 3000)

// Random numbers and dropout on a million elements.
report("randn_1m_apus", try best(reps) { _ = try Tensor.randn([1_000_000], generator: g) }, flops: 0)
report("randint_1m_apus", try best(reps) { _ = try Tensor.randint(low: 0, high: 1000, shape: [1_000_000], generator: g) },
       flops: 0)
let big = try Tensor.randn([1_000_000], generator: g)
report("dropout_1m_apus", try best(reps) { _ = try big.dropout(p: 0.1, generator: g) }, flops: 0)
'''


def build_swift(scratch):
    os.makedirs(os.path.join(scratch, "Sources", "bench"), exist_ok=True)
    for name in ("Tensors", "COpenBLAS"):
        link = os.path.join(scratch, "Sources", name)
        if os.path.islink(link):
            os.unlink(link)
        os.symlink(os.path.join(REPO, "Sources", name), link)
    with open(os.path.join(scratch, "Package.swift"), "w") as f:
        f.write(PACKAGE_SWIFT)
    with open(os.path.join(scratch, "Sources", "bench", "main.swift"), "w") as f:
        f.write(MAIN_SWIFT)
    subprocess.run(["swift", "build", "-c", "release", "--product", "bench"], cwd=scratch, check=True)
    return os.path.join(scratch, ".build", "release", "bench")


def run_swift(binary, reps):
    out = subprocess.run([binary, str(reps)], check=True, capture_output=True, text=True).stdout
    results = {}
    for line in out.splitlines():
        name, seconds, flops = line.split()
        results[name] = (float(seconds), float(flops))
    return results


def best(reps, fn):
    fn()
    result = float("inf")
    for _ in range(reps):
        start = time.perf_counter()
        fn()
        result = min(result, time.perf_counter() - start)
    return result


def run_torch(reps):
    import torch
    import torch.nn.functional as F

    torch.set_num_threads(2)
    torch.manual_seed(1)
    r = {}
    n = 1024
    a, b = torch.randn(n, n), torch.randn(n, n)
    r["sgemm1024"] = (best(reps, lambda: torch.matmul(a, b)), 2.0 * n ** 3)
    q, k = torch.randn(12, 128, 64), torch.randn(12, 128, 64)
    r["attention"] = (best(reps * 20, lambda: torch.matmul(q, k.transpose(-1, -2))), 2.0 * 12 * 128 * 128 * 64)
    x, w, bias = torch.randn(4, 128, 768), torch.randn(3072, 768), torch.randn(3072)
    r["linear"] = (best(reps, lambda: F.linear(x, w, bias)), 2.0 * 512 * 768 * 3072)
    row, proj = torch.randn(1, 576), torch.randn(2048, 576)
    r["linear_row"] = (best(reps * 20, lambda: F.linear(row, proj)), 2.0 * 576 * 2048)
    audio, kernel = torch.randn(1, 80, 3000), torch.randn(384, 80, 3)
    r["conv1d"] = (best(reps, lambda: F.conv1d(audio, kernel, padding=1)), 2.0 * 384 * 240 * 3000)
    r["randn_1m"] = (best(reps, lambda: torch.randn(1_000_000)), 0)
    r["randint_1m"] = (best(reps, lambda: torch.randint(0, 1000, (1_000_000,))), 0)
    big = torch.randn(1_000_000)
    r["dropout_1m"] = (best(reps, lambda: F.dropout(big, 0.1, training=True)), 0)
    return r


def fmt(seconds, flops):
    rate = f"{flops / seconds / 1e9:7.1f} GFLOP/s" if flops else " " * 15
    return f"{seconds * 1e3:9.3f} ms {rate}"


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--reps", type=int, default=10)
    parser.add_argument("--scratch", default="/tmp/apus-bench-matmul")
    parser.add_argument("--skip-swift", action="store_true")
    args = parser.parse_args()

    swift = {}
    if not args.skip_swift:
        swift = run_swift(build_swift(args.scratch), args.reps)
    torch_results = run_torch(args.reps)

    print(f"{'case':40} {'time':>12} {'rate':>15}")
    for name, (s, f) in swift.items():
        print(f"{name:40} {fmt(s, f)}")
    for name, (s, f) in torch_results.items():
        print(f"{'torch_' + name:40} {fmt(s, f)}")

    def ratio(label, fast, slow):
        if fast in swift and (slow in swift or slow in torch_results):
            other = swift.get(slow) or torch_results.get(slow)
            print(f"{label:60} {other[0] / swift[fast][0]:6.2f}")

    print("\nratios (>= 1 means Apus is at least as fast):")
    ratio("matmul 1024 vs cblas_sgemm direct", "sgemm1024_apus_matmul", "sgemm1024_cblas_direct")
    ratio("matmul 1024 vs torch.matmul", "sgemm1024_apus_matmul", "sgemm1024")
    ratio("matmul 1024 with b.T vs torch.matmul", "sgemm1024_apus_matmul_transposed_b", "sgemm1024")
    ratio("attention q @ k^T vs a plain cblas loop", "attention_apus_matmul", "attention_cblas_loop")
    ratio("attention q @ k^T vs torch.matmul", "attention_apus_matmul", "attention")
    ratio("linear 512x768->3072 vs torch F.linear", "linear_apus", "linear")
    ratio("linear 1x576->2048 vs torch F.linear", "linear_row_apus", "linear_row")
    ratio("conv1d whisper stem vs torch F.conv1d", "conv1d_apus", "conv1d")
    ratio("randn 1M vs torch.randn", "randn_1m_apus", "randn_1m")
    ratio("randint 1M vs torch.randint", "randint_1m_apus", "randint_1m")
    ratio("dropout 1M vs torch F.dropout", "dropout_1m_apus", "dropout_1m")


if __name__ == "__main__":
    sys.exit(main())
