/// A start/end pair of character offsets (Unicode scalars, like Python string indices).
public struct Offset: Hashable, CustomStringConvertible {
    /// First character of the span.
    public var start: Int
    /// One past the last character.
    public var end: Int
    /// A span from `start` up to (not including) `end`.
    public init(_ start: Int, _ end: Int) { self.start = start; self.end = end }
    public var description: String { "(\(start), \(end))" }
}

/// What a split does with the pieces a pattern matched.
public enum SplitBehavior: String {
    case removed = "Removed", isolated = "Isolated", mergedWithPrevious = "MergedWithPrevious"
    case mergedWithNext = "MergedWithNext", contiguous = "Contiguous"
}

/// A piece of text being normalized, with every character's span in the original input, so that
/// token offsets can be reported against the text the user passed in however the normalizers
/// changed lengths. Mirrors `tokenizers`' NormalizedString, counted in Unicode scalars rather than
/// UTF-8 bytes (the final offsets are identical since spans always fall on character boundaries).
public struct NormalizedString {
    /// The current (normalized) characters.
    public internal(set) var scalars: [Unicode.Scalar]
    /// For each current character, its span in the original piece (relative to `originalShift`).
    var alignments: [Offset]
    /// Where this piece starts in the whole original input.
    public internal(set) var originalShift: Int
    /// Length of the original piece.
    var originalCount: Int

    /// Wraps an original text; every character is aligned with itself.
    public init(_ text: String) { self.init(scalars: text.scalars) }

    init(scalars: [Unicode.Scalar], shift: Int = 0) {
        self.scalars = scalars
        alignments = (0..<scalars.count).map { Offset($0, $0 + 1) }
        originalShift = shift
        originalCount = scalars.count
    }

    /// The normalized text.
    public var text: String { scalars.string }
    var isEmpty: Bool { scalars.isEmpty }
    var count: Int { scalars.count }

    /// The span of the whole piece in the original input.
    var originalOffsets: Offset { Offset(originalShift, originalShift + originalCount) }

    /// Maps a range of normalized characters to the original span (relative to this piece), or
    /// nil when it falls outside.
    func originalRange(_ start: Int, _ end: Int) -> Offset? {
        if start == end { return Offset(start, end) }
        if start > end || end > alignments.count || start < 0 { return nil }
        return Offset(alignments[start].start, alignments[end - 1].end)
    }

    /// Replaces normalized characters `start..<end` with `changes`: each new character with 0 when it
    /// replaces one, +1 when inserted (it takes the previous character's span), -n when it also
    /// swallows the n following characters. `initialOffset` characters at the start are removed.
    mutating func transformRange(_ start: Int, _ end: Int, _ changes: [(Unicode.Scalar, Int)], initialOffset: Int) {
        var offset = start + initialOffset
        var newScalars: [Unicode.Scalar] = []
        newScalars.reserveCapacity(changes.count)
        var newAlignments: [Offset] = []
        newAlignments.reserveCapacity(changes.count)
        for (c, change) in changes {
            let align: Offset
            if change > 0 {
                align = offset < 1 ? Offset(0, 0) : alignments[offset - 1]
            } else {
                align = offset < alignments.count ? alignments[offset] : (alignments.last ?? Offset(0, 0))
                offset += 1
                if change < 0 { offset -= change }
            }
            newScalars.append(c)
            newAlignments.append(align)
        }
        scalars.replaceSubrange(start..<end, with: newScalars)
        alignments.replaceSubrange(start..<end, with: newAlignments)
    }

    /// Applies `changes` to the whole normalized text (see `transformRange`).
    mutating func transform(_ changes: [(Unicode.Scalar, Int)], initialOffset: Int = 0) {
        transformRange(0, scalars.count, changes, initialOffset: initialOffset)
    }

    /// Maps every character to one character.
    mutating func map(_ f: (Unicode.Scalar) -> Unicode.Scalar) {
        for i in scalars.indices { scalars[i] = f(scalars[i]) }
    }

    /// Keeps only the characters for which `keep` holds, merging removed spans as the reference does.
    mutating func filter(_ keep: (Unicode.Scalar) -> Bool) {
        if scalars.allSatisfy(keep) { return }
        var removed = 0
        var reversed: [(Unicode.Scalar, Int)] = []
        reversed.reserveCapacity(scalars.count)
        for c in scalars.reversed() {
            if keep(c) {
                reversed.append((c, -removed))
                removed = 0
            } else {
                removed += 1
            }
        }
        transform(Array(reversed.reversed()), initialOffset: removed)
    }

    /// Adds `s` in front of the text; the new characters take the first character's span.
    mutating func prepend(_ s: [Unicode.Scalar]) {
        guard let first = scalars.first else { return }
        var changes: [(Unicode.Scalar, Int)] = s.enumerated().map { ($0.element, $0.offset == 0 ? 0 : 1) }
        changes.append((first, 1))
        transformRange(0, 1, changes, initialOffset: 0)
    }

    /// Adds `s` after the text; the new characters take the last character's span.
    mutating func append(_ s: [Unicode.Scalar]) {
        guard let last = scalars.last else { return }
        var changes: [(Unicode.Scalar, Int)] = [(last, 0)]
        changes += s.map { ($0, 1) }
        transformRange(scalars.count - 1, scalars.count, changes, initialOffset: 0)
    }

    /// Full Unicode lowercasing (one character may become several).
    mutating func lowercase() {
        if scalars.allSatisfy({ $0.value < 0x80 }) {
            map { c in (c.value >= 0x41 && c.value <= 0x5A) ? Unicode.Scalar(c.value + 32)! : c }
            return
        }
        var changes: [(Unicode.Scalar, Int)] = []
        changes.reserveCapacity(scalars.count)
        for c in scalars {
            if c.value < 0x80 {
                changes.append(((c.value >= 0x41 && c.value <= 0x5A) ? Unicode.Scalar(c.value + 32)! : c, 0))
                continue
            }
            for (i, l) in c.properties.lowercaseMapping.unicodeScalars.enumerated() { changes.append((l, i > 0 ? 1 : 0)) }
        }
        transform(changes)
    }

    /// Replaces every match of `pattern` with `content`. Each inserted character takes the span
    /// of the last replaced character (what the reference's transform gives), built in one pass.
    mutating func replace(_ pattern: SplitPattern, with content: [Unicode.Scalar]) throws {
        let matches = try pattern.findMatches(scalars)
        guard matches.contains(where: { $0.1 }) else { return }
        var newScalars: [Unicode.Scalar] = []
        var newAlignments: [Offset] = []
        newScalars.reserveCapacity(scalars.count + 8)
        newAlignments.reserveCapacity(scalars.count + 8)
        for (range, isMatch) in matches {
            if !isMatch {
                newScalars.append(contentsOf: scalars[range.start..<range.end])
                newAlignments.append(contentsOf: alignments[range.start..<range.end])
                continue
            }
            let align = range.end >= 1 ? alignments[range.end - 1] : Offset(0, 0)
            for c in content {
                newScalars.append(c)
                newAlignments.append(align)
            }
        }
        scalars = newScalars
        alignments = newAlignments
    }

    /// Removes leading and/or trailing whitespace.
    mutating func strip(left: Bool, right: Bool) {
        var leading = 0, trailing = 0
        if left { while leading < scalars.count && UnicodeClass.isWhitespace(scalars[leading]) { leading += 1 } }
        if right {
            while trailing < scalars.count - leading && UnicodeClass.isWhitespace(scalars[scalars.count - 1 - trailing]) {
                trailing += 1
            }
        }
        guard leading > 0 || trailing > 0 else { return }
        let n = scalars.count
        var changes: [(Unicode.Scalar, Int)] = []
        for i in leading..<(n - trailing) {
            changes.append((scalars[i], i == n - trailing - 1 ? -trailing : 0))
        }
        transform(changes, initialOffset: leading)
    }

    /// The sub-piece for normalized characters `start..<end`, keeping original spans.
    func slice(_ start: Int, _ end: Int) -> NormalizedString {
        let origin = originalRange(start, end) ?? Offset(0, 0)
        var piece = NormalizedString(scalars: [])
        piece.scalars = Array(scalars[start..<end])
        let shift = start < end ? origin.start : (start < alignments.count ? alignments[start].start : originalCount)
        piece.alignments = alignments[start..<end].map { Offset($0.start - shift, $0.end - shift) }
        piece.originalShift = originalShift + shift
        piece.originalCount = start < end ? origin.end - origin.start : 0
        return piece
    }

    /// Splits on `pattern`, handling the matched delimiters as `behavior` says. Empty pieces are
    /// kept here; the pre-tokenized string drops them.
    func split(_ pattern: SplitPattern, _ behavior: SplitBehavior, invert: Bool = false) throws -> [NormalizedString] {
        var matches = try pattern.findMatches(scalars)
        if invert { for i in matches.indices { matches[i].1.toggle() } }
        var splits: [(Offset, Bool)] = []  // (range, remove)
        switch behavior {
        case .isolated:
            splits = matches.map { ($0.0, false) }
        case .removed:
            splits = matches
        case .contiguous:
            var previous = false
            for (range, isMatch) in matches {
                if isMatch == previous, !splits.isEmpty {
                    splits[splits.count - 1].0.end = range.end
                } else {
                    splits.append((range, false))
                }
                previous = isMatch
            }
        case .mergedWithPrevious:
            var previous = false
            for (range, isMatch) in matches {
                if isMatch && !previous, !splits.isEmpty {
                    splits[splits.count - 1].0.end = range.end
                } else {
                    splits.append((range, false))
                }
                previous = isMatch
            }
        case .mergedWithNext:
            var previous = false
            for (range, isMatch) in matches.reversed() {
                if isMatch && !previous, !splits.isEmpty {
                    splits[splits.count - 1].0.start = range.start
                } else {
                    splits.append((range, false))
                }
                previous = isMatch
            }
            splits.reverse()
        }
        // The common case of nothing to split needs no copy.
        if splits.count == 1 && !splits[0].1 && splits[0].0 == Offset(0, scalars.count) { return [self] }
        return splits.compactMap { range, remove in remove ? nil : slice(range.start, range.end) }
    }
}
