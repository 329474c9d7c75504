// Timing harness for the math ops (softmax, layer_norm, gelu, exp, ...), the Swift side of
// scripts/bench_math.py. Not a target: to run it, copy it over Sources/apus-bench/main.swift,
// then `swift build -c release --product apus-bench` and
//     .build/release/apus-bench [elementwise|rows|targets|all]
//     valgrind --tool=callgrind .build/release/apus-bench one <exp|log|gelu|gelub|softmax|...>
// (`one` runs a single op a few times on 1M elements, for instruction counts.)
import Foundation
import Tensors

func now() -> Double { Double(DispatchTime.now().uptimeNanoseconds) / 1e6 }
func bench(_ name: String, iterations: Int = 20, _ body: () throws -> Void) rethrows {
    for _ in 0..<3 { try body() }
    var times: [Double] = []
    for _ in 0..<iterations { let t = now(); try body(); times.append(now() - t) }
    times.sort()
    print(name.padding(toLength: 28, withPad: " ", startingAt: 0) + String(format: " median %8.3f ms  min %8.3f ms", times[times.count / 2], times[0]))
}
func random(_ shape: [Int], scale: Float = 3) -> Tensor {
    var state: UInt64 = 12345
    let n = shape.reduce(1, *)
    let values = (0..<n).map { _ -> Float in
        state = state &* 6364136223846793005 &+ 1442695040888963407
        return (Float((state >> 40) & 0xFFFFFF) / Float(1 << 24) * 2 - 1) * scale
    }
    return try! Tensor(values, shape: shape)
}
let which = CommandLine.arguments.dropFirst().first ?? "all"
let big = random([4 * 1024 * 1024])
if which == "all" || which == "elementwise" {
    try! bench("exp 4M") { _ = big.exp() }
    try! bench("gelu 4M") { _ = try big.gelu() }
    try! bench("gelu tanh 4M") { _ = try big.gelu(approximate: .tanh) }
    try! bench("tanh 4M") { _ = big.tanh() }
    try! bench("sigmoid 4M") { _ = big.sigmoid() }
    let positive = big.abs()
    try! bench("log 4M") { _ = positive.log() }
    try! bench("gelu backward 4M") { let x = try big.detach().requiringGrad(); let y = try x.gelu(); try y.backward(gradient: positive) }
    try! bench("mapFloat neg 4M") { _ = -big }
    try! bench("zipFloat add 4M") { _ = try big + big }
    try! bench("zipFloat mul scalar 4M") { _ = try big * 2.0 }
}
if which == "one" {
    let op = CommandLine.arguments.count > 2 ? CommandLine.arguments[2] : "exp"
    let x = random([1 << 20])
    let f: [String: () throws -> Tensor] = [
        "exp": { x.exp() }, "log": { x.log() }, "tanh": { x.tanh() }, "erf": { x.erf() },
        "sigmoid": { x.sigmoid() }, "gelu": { try x.gelu() }, "neg": { -x }, "add": { try x + x },
        "gelub": { let y = try x.detach().requiringGrad(); try y.gelu().backward(gradient: x); return y },
    ]
    if let g = f[op] { for _ in 0..<4 { _ = try! g() } }
}
if which == "all" || which == "rows" {
    let s = random([32, 12, 128, 128])
    try! bench("softmax 32x12x128x128", iterations: 10) { _ = try s.softmax(dim: -1) }
    try! bench("log_softmax 32x12x128x128", iterations: 10) { _ = try s.logSoftmax(dim: -1) }
    let x = random([4096, 768]), w = random([768]), b = random([768])
    try! bench("layer_norm 4096x768") { _ = try x.layerNorm(normalizedShape: [768], weight: w, bias: b) }
    try! bench("rms_norm 4096x768") { _ = try x.rmsNorm(normalizedShape: [768], weight: w, eps: 1e-6) }
    let logits = random([4096, 1000])
    let t = try! Tensor(int64: (0..<4096).map { Int64($0 * 7 % 1000) }, shape: [4096])
    try! bench("cross_entropy 4096x1000") { _ = try Tensor.crossEntropy(logits, t) }
}
if which == "one" && CommandLine.arguments.count > 2 && CommandLine.arguments[2] == "softmax" {
    let s = random([32, 12, 128, 128])
    for _ in 0..<3 { _ = try! s.softmax(dim: -1) }
}
if which == "one" && CommandLine.arguments.count > 2 && CommandLine.arguments[2] == "layernorm" {
    let x = random([4096, 768]), w = random([768]), b = random([768])
    for _ in 0..<3 { _ = try! x.layerNorm(normalizedShape: [768], weight: w, bias: b) }
}
if which == "targets" {
    let s = random([32, 12, 128, 128])
    let x = random([4096, 768]), w = random([768]), b = random([768])
    for _ in 0..<3 {
        try! bench("softmax 32x12x128x128", iterations: 15) { _ = try s.softmax(dim: -1) }
        try! bench("layer_norm 4096x768", iterations: 40) { _ = try x.layerNorm(normalizedShape: [768], weight: w, bias: b) }
        try! bench("gelu 4M", iterations: 40) { _ = try big.gelu() }
        try! bench("exp 4M", iterations: 40) { _ = big.exp() }
        try! bench("add 4M", iterations: 40) { _ = try big + big }
    }
}
