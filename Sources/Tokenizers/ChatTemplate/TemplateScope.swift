/// Variables visible at one point of a template: a `for` body (each pass), a macro call, a
/// block and the template's top level each get their own scope, so a `set` inside a loop does
/// not leak out of it (the reason templates use `namespace()`), while `if` blocks share their
/// enclosing scope. A name missing from a scope is looked up as its frame's analysis says:
/// in the enclosing scope, in the render context, or not at all.
final class TemplateScope {
    var variables: [String: JinjaValue] = [:]
    let parent: TemplateScope?
    /// The frame this scope runs, which says how names it assigns read before assignment.
    let frame: FrameInfo?
    /// The render context (arguments over globals), where `resolve` reads go.
    let context: TemplateScope?

    init(parent: TemplateScope?, frame: FrameInfo? = nil) {
        self.parent = parent
        self.frame = frame
        self.context = parent?.context ?? parent
    }

    /// A scope whose lookups are plain (the render context and the globals).
    init(root parent: TemplateScope?) {
        self.parent = parent
        self.frame = nil
        self.context = nil
    }

    func lookup(_ name: String) -> JinjaValue? {
        var scope: TemplateScope? = self
        while let s = scope {
            if let v = s.variables[name] { return v }
            switch s.frame?.initial[name] {
            case .undefined?: return nil
            case .resolve?: return s.context?.plainLookup(name)
            case .alias?, nil: scope = s.parent
            }
        }
        return nil
    }

    private func plainLookup(_ name: String) -> JinjaValue? {
        var scope: TemplateScope? = self
        while let s = scope {
            if let v = s.variables[name] { return v }
            scope = s.parent
        }
        return nil
    }
}
