/// Grad mode switched off and on again by calls rather than a closure, for front-ends whose
/// blocks are not Swift closures (a script's `with torch.no_grad():`).
extension GradMode {
    /// Stops recording operations until the matching `endNoGrad()`; calls nest.
    public static func beginNoGrad() { disabledDepth += 1 }
    /// Ends the innermost `beginNoGrad()`.
    public static func endNoGrad() { if disabledDepth > 0 { disabledDepth -= 1 } }
}
