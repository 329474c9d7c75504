import Display
import Script

/// The REPL's output sink: print() goes to the terminal as usual, and display() /
/// update_display() draw their bundles the way the REPL draws a result (an inline picture
/// where the terminal has one, else the text form). A terminal cannot replace an earlier
/// output, so an update is drawn as a new one.
final class TerminalDisplaySink: RichOutputSink {
    private let text = StandardSink()
    private let picture: TerminalPicture
    private let columns: () -> Int

    init(picture: TerminalPicture, columns: @escaping () -> Int) {
        self.picture = picture
        self.columns = columns
    }

    func write(_ output: String, to stream: StreamKind) { text.write(output, to: stream) }
    func flush() { text.flush() }

    func display(_ bundle: MimeBundle, displayId: String?) {
        guard !bundle.data.isEmpty else { return }
        text.write(TerminalRenderer.render(bundle, picture: picture, columns: columns()), to: .stdout)
    }

    func updateDisplay(_ bundle: MimeBundle, displayId: String) { display(bundle, displayId: displayId) }

    /// Erases the current line (what a terminal can clear).
    func clearOutput(wait: Bool) {
        if picture != .text { text.write("\u{1B}[2K\r", to: .stdout) }
    }
}
