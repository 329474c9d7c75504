/// Broadcasting rules (numpy's, as torch uses them) and the reverse step autograd needs.
extension Tensor {
    /// The shape two shapes broadcast to, or a mismatch error naming both and the op.
    public static func broadcastShapes(_ a: [Int], _ b: [Int], op: String) throws -> [Int] {
        let n = Swift.max(a.count, b.count)
        var out = [Int](repeating: 1, count: n)
        for i in 0..<n {
            let x = i < n - a.count ? 1 : a[i - (n - a.count)]
            let y = i < n - b.count ? 1 : b[i - (n - b.count)]
            guard x == y || x == 1 || y == 1 else {
                throw TensorError.shapeMismatch(
                    "\(op): the size of tensor a (\(x)) must match the size of tensor b (\(y)) at non-singleton dimension \(i) (shapes \(a.shapeString) and \(b.shapeString))")
            }
            out[i] = x == 1 ? y : x
        }
        return out
    }

    /// Sums a broadcast gradient back down to `target` (the shape before broadcasting).
    public func sumToShape(_ target: [Int]) throws -> Tensor {
        if shape == target { return self }
        let lead = rank - target.count
        guard lead >= 0 else {
            throw TensorError.shapeMismatch("sumToShape: cannot reduce \(shape.shapeString) to \(target.shapeString)")
        }
        var dims: [Int] = Array(0..<lead)
        for (i, size) in target.enumerated() where size == 1 && shape[lead + i] != 1 {
            dims.append(lead + i)
        }
        var reduced = dims.isEmpty ? self : try sum(dims: dims, keepDim: true)
        if lead > 0 { reduced = try reduced.reshape(target) }
        return reduced
    }
}
