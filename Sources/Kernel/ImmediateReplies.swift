import Foundation
import Display

/// The requests answered on the shell (or control) thread at once, without waiting for the
/// evaluator: they only read engine state that is safe to read while a cell runs.
extension KernelServer {
    func immediateReply(to request: Message) -> Message? {
        let content = request.content
        switch request.type {
        case "kernel_info_request":
            return factory.reply(to: request, type: "kernel_info_reply", content: kernelInfo)
        case "complete_request":
            let code = content["code"]?.stringValue ?? ""
            let cursor = clampedCursor(content["cursor_pos"], in: code)
            let completion = engine.complete(code, cursor: cursor)
            var types: [JSONValue] = []
            if completion.details.count == completion.matches.count {
                for (match, detail) in zip(completion.matches, completion.details) {
                    types.append(["start": .int(completion.cursorStart), "end": .int(completion.cursorEnd),
                                  "text": .string(match), "type": .string(detail.type),
                                  "signature": .string(detail.signature)])
                }
            }
            return factory.reply(to: request, type: "complete_reply", content: [
                "status": "ok", "matches": .array(completion.matches.map(JSONValue.string)),
                "cursor_start": .int(completion.cursorStart), "cursor_end": .int(completion.cursorEnd),
                "metadata": ["_jupyter_types_experimental": .array(types)],
            ])
        case "inspect_request":
            let code = content["code"]?.stringValue ?? ""
            let cursor = clampedCursor(content["cursor_pos"], in: code)
            let detail = content["detail_level"]?.intValue ?? 0
            let bundle = engine.inspect(code, cursor: cursor, detail: detail)
            return factory.reply(to: request, type: "inspect_reply", content: [
                "status": "ok", "found": .bool(bundle != nil),
                "data": .object(bundle?.data ?? []), "metadata": .object(bundle?.metadata ?? []),
            ])
        case "is_complete_request":
            let reply: JSONValue
            switch engine.isComplete(content["code"]?.stringValue ?? "") {
            case .complete: reply = ["status": "complete"]
            case .incomplete(let indent): reply = ["status": "incomplete", "indent": .string(indent)]
            case .invalid: reply = ["status": "invalid"]
            case .unknown: reply = ["status": "unknown"]
            }
            return factory.reply(to: request, type: "is_complete_reply", content: reply)
        case "history_request":
            return factory.reply(to: request, type: "history_reply", content: history.reply(to: content))
        case "comm_info_request":
            let target = content["target_name"]?.stringValue
            return factory.reply(to: request, type: "comm_info_reply",
                                 content: ["status": "ok", "comms": comms.info(target: target)])
        case "connect_request":
            return factory.reply(to: request, type: "connect_reply", content: [
                "shell_port": .int(connection.shellPort), "iopub_port": .int(connection.iopubPort),
                "stdin_port": .int(connection.stdinPort), "hb_port": .int(connection.heartbeatPort),
                "control_port": .int(connection.controlPort),
            ])
        default:
            log("ignored an unsupported \(request.type.isEmpty ? "message" : request.type)")
            return nil
        }
    }

    var kernelInfo: JSONValue {
        [
            "status": "ok",
            "protocol_version": .string(MessageFactory.protocolVersion),
            "implementation": .string(configuration.implementation),
            "implementation_version": .string(configuration.implementationVersion),
            "language_info": engine.languageInfo.json,
            "banner": .string(configuration.banner),
            "help_links": .array(configuration.helpLinks.map { ["text": .string($0.text), "url": .string($0.url)] }),
            "supported_features": [],
            "debugger": false,
        ]
    }

    /// The request's cursor in code points, defaulting to the end and kept inside the code.
    private func clampedCursor(_ value: JSONValue?, in code: String) -> Int {
        let length = code.unicodeScalars.count
        guard let cursor = value?.intValue else { return length }
        return min(max(cursor, 0), length)
    }
}
