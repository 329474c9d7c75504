/// Maps numbers in [0, 1] to colours for heatmaps and spectrograms.
public struct Colormap: Sendable {
    /// Evenly spaced anchor colours, interpolated linearly between.
    public let name: String
    public let anchors: [RGB]

    /// A perceptually ordered dark-blue → green → yellow map in the manner of matplotlib's
    /// default (anchors sampled at nine evenly spaced points of that map).
    public static let viridis = Colormap(name: "viridis", anchors: [
        RGB(68, 1, 84), RGB(71, 44, 122), RGB(59, 81, 139), RGB(44, 113, 142), RGB(33, 144, 141),
        RGB(39, 173, 129), RGB(92, 200, 99), RGB(170, 220, 50), RGB(253, 231, 37),
    ])

    /// White to deep blue, for attention weights in [0, 1].
    public static let blues = Colormap(name: "blues", anchors: [
        RGB(247, 251, 255), RGB(198, 219, 239), RGB(107, 174, 214), RGB(33, 113, 181), RGB(8, 48, 107),
    ])

    /// The colour for `t` (clamped to [0, 1]; NaN maps to grey).
    public func color(_ t: Double) -> RGB {
        guard t.isFinite else { return RGB(128, 128, 128) }
        let x = min(max(t, 0), 1) * Double(anchors.count - 1)
        let i = min(Int(x), anchors.count - 2)
        let f = x - Double(i)
        let a = anchors[i], b = anchors[i + 1]
        func mix(_ p: UInt8, _ q: UInt8) -> UInt8 { UInt8((Double(p) * (1 - f) + Double(q) * f).rounded()) }
        return RGB(mix(a.red, b.red), mix(a.green, b.green), mix(a.blue, b.blue))
    }
}
