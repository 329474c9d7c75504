import Foundation
import Display

/// Where `installSpec` puts the kernelspec (the places Jupyter searches).
public enum KernelSpecDestination: Equatable, Sendable {
    /// The user's Jupyter data directory (`$JUPYTER_DATA_DIR`, else `~/.local/share/jupyter`
    /// on Linux or `~/Library/Jupyter` on macOS).
    case user
    /// The active Python environment (`$VIRTUAL_ENV`, else `$CONDA_PREFIX`): where a venv's
    /// JupyterLab looks, as `jupyter kernelspec install --sys-prefix` does.
    case sysPrefix
    /// `PATH/share/jupyter/kernels`.
    case prefix(String)
}

extension KernelSpecDestination {
    /// Reads `apus kernel install`'s options: none or `--user`, `--sys-prefix`, `--prefix PATH`
    /// (or `--prefix=PATH`).
    public init(arguments: [String]) throws {
        var destination = KernelSpecDestination.user
        var i = 0
        while i < arguments.count {
            let argument = arguments[i]
            switch argument {
            case "--user": destination = .user
            case "--sys-prefix": destination = .sysPrefix
            case "--prefix":
                guard i + 1 < arguments.count else { throw KernelError.kernelSpec("--prefix needs a path") }
                destination = .prefix(arguments[i + 1])
                i += 1
            default:
                guard argument.hasPrefix("--prefix="), argument.count > 9 else {
                    throw KernelError.kernelSpec("unknown option '\(argument)' (expected --user, --sys-prefix or --prefix PATH)")
                }
                destination = .prefix(String(argument.dropFirst(9)))
            }
            i += 1
        }
        self = destination
    }
}

/// The Apus kernelspec: kernel.json and the logos.
public enum KernelSpec {
    /// The kernelspec directory name.
    public static let name = "apus"

    /// kernel.json for the kernel of the `apus` at `executablePath` (see `argv`).
    ///
    /// `interrupt_mode` is "message": the interrupt arrives on the control channel, which the
    /// kernel serves on its own thread during any cell, and is acknowledged with a reply; it works
    /// where the client cannot signal the process (remote kernels, containers, a wrapper process
    /// between client and kernel). SIGINT still interrupts the same way, for a kernel run by hand.
    public static func json(executablePath: String) -> JSONValue {
        [
            "argv": .array(argv(executablePath: executablePath).map { .string($0) }),
            "display_name": "Apus",
            "language": "apus",
            "interrupt_mode": "message",
            "kernel_protocol_version": .string(MessageFactory.protocolVersion),
            "metadata": ["debugger": false],
        ]
    }

    /// How Jupyter starts the kernel: `apus-kernel -f CONNECTION_FILE` when that starter sits
    /// next to `apus` (it listens on the ports at once, so the client's first connection is not
    /// refused while the engine loads), else `apus kernel -f CONNECTION_FILE`.
    public static func argv(executablePath: String) -> [String] {
        let starter = ((executablePath as NSString).deletingLastPathComponent as NSString)
            .appendingPathComponent("apus-kernel")
        if FileManager.default.isExecutableFile(atPath: starter) { return [starter, "-f", "{connection_file}"] }
        return [executablePath, "kernel", "-f", "{connection_file}"]
    }

    /// The kernel's logo, `size`×`size` pixels: a swift in flight on a blue tile.
    public static func logo(size: Int) -> RGBAImage {
        var pixels = [UInt8](repeating: 0, count: size * size * 4)
        let samples = 4
        for y in 0..<size {
            for x in 0..<size {
                var coverage = 0.0, white = 0.0
                for sy in 0..<samples {
                    for sx in 0..<samples {
                        let u = (Double(x) + (Double(sx) + 0.5) / Double(samples)) / Double(size)
                        let v = (Double(y) + (Double(sy) + 0.5) / Double(samples)) / Double(size)
                        if insideTile(u, v) { coverage += 1; if insideBird(u, v) { white += 1 } }
                    }
                }
                let n = Double(samples * samples)
                let v = Double(y) / Double(size)
                // Tile colour: a vertical gradient from a lighter to a deeper blue.
                let tile = (40.0 - 18 * v, 84.0 - 44 * v, 168.0 - 78 * v)
                let mix = coverage > 0 ? white / coverage : 0
                let i = (y * size + x) * 4
                pixels[i] = UInt8((tile.0 * (1 - mix) + 255 * mix).rounded())
                pixels[i + 1] = UInt8((tile.1 * (1 - mix) + 255 * mix).rounded())
                pixels[i + 2] = UInt8((tile.2 * (1 - mix) + 255 * mix).rounded())
                pixels[i + 3] = UInt8((255 * coverage / n).rounded())
            }
        }
        return (try? RGBAImage(width: size, height: size, pixels: pixels)) ?? RGBAImage(width: size, height: size)
    }

    private static func insideTile(_ u: Double, _ v: Double) -> Bool {
        let r = 0.2
        let dx = max(abs(u - 0.5) - (0.5 - r), 0), dy = max(abs(v - 0.5) - (0.5 - r), 0)
        return dx * dx + dy * dy <= r * r
    }

    private static func insideBird(_ u: Double, _ v: Double) -> Bool {
        // Swept wings, a round head-body and a forked tail, as distances to a few strokes.
        let strokes: [((Double, Double), (Double, Double), Double)] = [
            ((0.12, 0.34), (0.50, 0.56), 0.065), ((0.88, 0.34), (0.50, 0.56), 0.065),
            ((0.50, 0.56), (0.41, 0.84), 0.035), ((0.50, 0.56), (0.59, 0.84), 0.035),
        ]
        for (a, b, width) in strokes where distance((u, v), a, b) <= width { return true }
        let body = (u - 0.5) * (u - 0.5) / (0.075 * 0.075) + (v - 0.52) * (v - 0.52) / (0.12 * 0.12)
        return body <= 1
    }

    private static func distance(_ p: (Double, Double), _ a: (Double, Double), _ b: (Double, Double)) -> Double {
        let (dx, dy) = (b.0 - a.0, b.1 - a.1)
        let t = max(0, min(1, ((p.0 - a.0) * dx + (p.1 - a.1) * dy) / (dx * dx + dy * dy)))
        let (cx, cy) = (a.0 + t * dx - p.0, a.1 + t * dy - p.1)
        return (cx * cx + cy * cy).squareRoot()
    }

    /// The kernels directory a destination names.
    public static func kernelsDirectory(for destination: KernelSpecDestination,
                                        environment: [String: String] = ProcessInfo.processInfo.environment) throws -> String {
        switch destination {
        case .prefix(let path):
            return (path as NSString).appendingPathComponent("share/jupyter/kernels")
        case .sysPrefix:
            guard let prefix = environment["VIRTUAL_ENV"] ?? environment["CONDA_PREFIX"], !prefix.isEmpty else {
                throw KernelError.kernelSpec("--sys-prefix needs an active Python environment (VIRTUAL_ENV or CONDA_PREFIX); use --prefix PATH instead")
            }
            return (prefix as NSString).appendingPathComponent("share/jupyter/kernels")
        case .user:
            if let data = environment["JUPYTER_DATA_DIR"], !data.isEmpty {
                return (data as NSString).appendingPathComponent("kernels")
            }
            let home = environment["HOME"] ?? NSHomeDirectory()
            #if os(macOS)
            return (home as NSString).appendingPathComponent("Library/Jupyter/kernels")
            #else
            let dataHome = environment["XDG_DATA_HOME"].flatMap { $0.isEmpty ? nil : $0 }
                ?? (home as NSString).appendingPathComponent(".local/share")
            return (dataHome as NSString).appendingPathComponent("jupyter/kernels")
            #endif
        }
    }
}

/// Installs the Apus kernelspec (kernel.json naming `executablePath`, and the 32×32 and 64×64
/// logos) under `destination`, replacing an earlier install; returns the kernelspec directory.
/// Call it as `Kernel.installSpec(destination: .user, executablePath: path)`.
@discardableResult
public func installSpec(destination: KernelSpecDestination, executablePath: String) throws -> String {
    let executable = executablePath.hasPrefix("/") ? executablePath
        : (FileManager.default.currentDirectoryPath as NSString).appendingPathComponent(executablePath)
    let directory = (try KernelSpec.kernelsDirectory(for: destination) as NSString).appendingPathComponent(KernelSpec.name)
    let files = FileManager.default
    do {
        try files.createDirectory(atPath: directory, withIntermediateDirectories: true)
        try Data(KernelSpec.json(executablePath: (executable as NSString).standardizingPath).serialized.utf8)
            .write(to: URL(fileURLWithPath: (directory as NSString).appendingPathComponent("kernel.json")))
        for size in [32, 64] {
            let png = try KernelSpec.logo(size: size).pngData()
            try Data(png).write(to: URL(fileURLWithPath: (directory as NSString).appendingPathComponent("logo-\(size)x\(size).png")))
        }
    } catch let error as KernelError {
        throw error
    } catch {
        throw KernelError.kernelSpec("cannot write \(directory): \(error.localizedDescription)")
    }
    return directory
}
