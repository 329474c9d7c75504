import Foundation

/// A decoded JSON object from a tokenizer file, remembering the file name so that every error
/// about a missing or ill-typed field can say where it came from.
struct JSONObject {
    let values: [String: Any]
    let file: String

    init(_ values: [String: Any], file: String) { self.values = values; self.file = file }

    /// Parses a whole file's bytes.
    static func parse(_ data: Data, file: String) throws -> JSONObject {
        let any: Any
        do {
            any = try JSONParser.parse(data)
        } catch let f as JSONParser.Failure {
            throw TokenizerError.malformed(file: file, detail: "not valid JSON: \(f.message) at byte \(f.offset)")
        }
        guard let dict = any as? [String: Any] else {
            throw TokenizerError.malformed(file: file, detail: "the top level is not a JSON object")
        }
        return JSONObject(dict, file: file)
    }

    var type: String? { values["type"] as? String }

    func isNull(_ key: String) -> Bool { values[key] == nil || values[key] is NSNull }

    func optionalString(_ key: String) -> String? { values[key] as? String }

    func string(_ key: String, in component: String) throws -> String {
        guard let s = values[key] as? String else {
            throw TokenizerError.missingField(component: component, field: key, file: file)
        }
        return s
    }

    func optionalInt(_ key: String) -> Int? {
        if let i = values[key] as? Int { return i }
        if let d = values[key] as? Double, d.rounded() == d, abs(d) < 1e15 { return Int(d) }
        return nil
    }

    func int(_ key: String, in component: String) throws -> Int {
        guard let n = optionalInt(key) else {
            throw TokenizerError.missingField(component: component, field: key, file: file)
        }
        return n
    }

    func bool(_ key: String, default value: Bool) -> Bool {
        (values[key] as? Bool) ?? value
    }

    func object(_ key: String) -> JSONObject? {
        (values[key] as? [String: Any]).map { JSONObject($0, file: file) }
    }

    func objects(_ key: String, in component: String) throws -> [JSONObject] {
        guard let list = values[key] as? [Any] else {
            throw TokenizerError.missingField(component: component, field: key, file: file)
        }
        return try list.map { item in
            guard let d = item as? [String: Any] else {
                throw TokenizerError.malformed(file: file, detail: "\(component).\(key) holds a non-object")
            }
            return JSONObject(d, file: file)
        }
    }

    func array(_ key: String) -> [Any]? { values[key] as? [Any] }
}
