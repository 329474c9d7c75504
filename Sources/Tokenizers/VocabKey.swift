/// A dictionary key that compares strings by their exact Unicode scalars. Swift's `String`
/// equality treats canonically equivalent strings as equal ("é" == "e\u{301}"), but a vocabulary
/// must tell them apart exactly as the reference does, so every vocabulary map uses this key.
struct VocabKey: Hashable {
    let string: String

    init(_ string: String) { self.string = string }

    static func == (a: VocabKey, b: VocabKey) -> Bool { a.string.utf8.elementsEqual(b.string.utf8) }

    func hash(into hasher: inout Hasher) {
        var s = string
        s.withUTF8 { hasher.combine(bytes: UnsafeRawBufferPointer($0)) }
    }
}

/// A token -> id map with exact (scalar-by-scalar) string matching.
typealias Vocabulary = [VocabKey: Int]

extension Dictionary where Key == VocabKey {
    @inline(__always) subscript(exact s: String) -> Value? {
        get { self[VocabKey(s)] }
        set { self[VocabKey(s)] = newValue }
    }
}
