import Display
import Kernel
import Script

/// A kernel comm as the script `comm` module sees it.
final class KernelCommChannel: CommChannel {
    private let comm: Comm
    init(_ comm: Comm) { self.comm = comm }

    var commId: String { comm.id }
    var targetName: String { comm.targetName }

    func send(_ data: JSONValue, metadata: JSONValue) { comm.send(data, metadata: metadata) }
    func close(_ data: JSONValue) { comm.close(data) }

    var onMessage: ((JSONValue) -> Void)? {
        get { comm.onMessage.map { handler in { data in handler(data, []) } } }
        set { comm.onMessage = newValue.map { handler in { data, _ in handler(data) } } }
    }

    var onClose: ((JSONValue) -> Void)? {
        get { comm.onClose }
        set { comm.onClose = newValue }
    }
}
