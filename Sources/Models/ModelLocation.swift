import Foundation

/// Finds the directory of a model: a local directory, or a snapshot in the Hugging Face cache
/// layout (`$HF_HOME/hub/models--ORG--NAME/snapshots/<rev>/`), offline, as transformers does
/// with HF_HUB_OFFLINE=1.
public enum ModelLocation {
    /// The hub cache directory: `$HF_HUB_CACHE`, else `$HF_HOME/hub`, else
    /// `$XDG_CACHE_HOME/huggingface/hub`, else `~/.cache/huggingface/hub`.
    public static func hubCache(environment: [String: String] = ProcessInfo.processInfo.environment) -> URL {
        if let cache = environment["HF_HUB_CACHE"], !cache.isEmpty { return URL(fileURLWithPath: cache) }
        if let home = environment["HF_HOME"], !home.isEmpty { return URL(fileURLWithPath: home).appendingPathComponent("hub") }
        let base = environment["XDG_CACHE_HOME"].flatMap { $0.isEmpty ? nil : URL(fileURLWithPath: $0) }
            ?? URL(fileURLWithPath: NSHomeDirectory()).appendingPathComponent(".cache")
        return base.appendingPathComponent("huggingface/hub")
    }

    /// The directory holding `idOrPath`'s files. `revision` is a branch or tag (resolved through
    /// `refs/`) or a commit hash (a snapshot directory name); nil means `main`.
    /// Throws `ModelError.notFound` naming every place looked in.
    public static func resolve(_ idOrPath: String, revision: String? = nil,
                               environment: [String: String] = ProcessInfo.processInfo.environment) throws -> URL {
        var isDirectory: ObjCBool = false
        let expanded = (idOrPath as NSString).expandingTildeInPath
        if FileManager.default.fileExists(atPath: expanded, isDirectory: &isDirectory), isDirectory.boolValue {
            return URL(fileURLWithPath: expanded)
        }
        let cache = hubCache(environment: environment)
        let repo = cache.appendingPathComponent("models--" + idOrPath.replacingOccurrences(of: "/", with: "--"))
        let wanted = revision ?? "main"
        var looked = ["a local directory '\(idOrPath)'", repo.appendingPathComponent("refs/\(wanted)").path]
        var commit = wanted
        if let data = FileManager.default.contents(atPath: repo.appendingPathComponent("refs/\(wanted)").path),
           let text = String(data: data, encoding: .utf8) {
            commit = text.trimmingCharacters(in: .whitespacesAndNewlines)
        }
        let snapshot = repo.appendingPathComponent("snapshots/\(commit)")
        looked.append(snapshot.path)
        if FileManager.default.fileExists(atPath: snapshot.path, isDirectory: &isDirectory), isDirectory.boolValue {
            return snapshot
        }
        throw ModelError.notFound(
            "Can't load '\(idOrPath)'\(revision.map { " at revision '\($0)'" } ?? ""): it is not a local directory and the offline Hugging Face cache has no snapshot of it (looked in: \(looked.joined(separator: "; "))). Set HF_HOME to the directory that holds hub/, or pass the model directory.")
    }
}
