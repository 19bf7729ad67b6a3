import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The checks of an output path made before any work: can this path be (or become) a directory
/// we write into, or a file we write? A missing path is judged by its nearest existing ancestor,
/// which must be a directory in which a file can be created (tried with a probe directory that is
/// removed at once: permission bits do not tell, e.g. for root under /proc).
///
///     if let problem = OutputLocation.directoryProblem("/proc/x/y") { print(problem) }   // "cannot create anything in '/proc': …"
public enum OutputLocation {
    /// Why `path` cannot be used as an output directory, or nil.
    public static func directoryProblem(_ path: String) -> String? {
        guard !path.isEmpty else { return "an empty path names no directory" }
        if let long = longComponent(path) { return long }
        let url = URL(fileURLWithPath: path).standardizedFileURL
        var isDirectory: ObjCBool = false
        if FileManager.default.fileExists(atPath: url.path, isDirectory: &isDirectory) {
            return isDirectory.boolValue ? probeProblem(url.path) : "'\(url.path)' exists and is not a directory"
        }
        return ancestorProblem(url)
    }

    /// Why `path` cannot be written as a file, or nil: it must not be a directory, and its directory
    /// must exist or be creatable.
    public static func fileProblem(_ path: String) -> String? {
        guard !path.isEmpty else { return "an empty path names no file" }
        if let long = longComponent(path) { return long }
        let url = URL(fileURLWithPath: path).standardizedFileURL
        var isDirectory: ObjCBool = false
        if FileManager.default.fileExists(atPath: url.path, isDirectory: &isDirectory), isDirectory.boolValue {
            return "'\(url.path)' is a directory; name a file"
        }
        return directoryProblem(url.deletingLastPathComponent().path)
    }

    /// A name in the path longer than the file system takes (NAME_MAX, 255 bytes), or nil; shard
    /// directories add up to 20 bytes (`.shard-i`), kept free here.
    static func longComponent(_ path: String) -> String? {
        guard let name = path.split(separator: "/").first(where: { $0.utf8.count > 255 - 20 }) else { return nil }
        return "the name '\(name.prefix(24))…' in the path has \(name.utf8.count) bytes; at most \(255 - 20) are allowed"
    }

    /// The nearest existing ancestor of a missing path must be a directory we can create in.
    static func ancestorProblem(_ url: URL) -> String? {
        var ancestor = url.deletingLastPathComponent()
        var isDirectory: ObjCBool = false
        while !FileManager.default.fileExists(atPath: ancestor.path, isDirectory: &isDirectory) {
            let parent = ancestor.deletingLastPathComponent()
            if parent.path == ancestor.path { return "no part of '\(url.path)' exists" }
            ancestor = parent
        }
        guard isDirectory.boolValue else { return "'\(ancestor.path)' is not a directory, so '\(url.path)' cannot be created" }
        return probeProblem(ancestor.path)
    }

    /// Creates and removes a probe directory in `directory`; the reason it failed, or nil.
    static func probeProblem(_ directory: String) -> String? {
        var template = Array((directory + "/.phaseflow-probe-XXXXXX").utf8CString)
        let made = template.withUnsafeMutableBufferPointer { mkdtemp($0.baseAddress!) }
        guard let made else { return "cannot create anything in '\(directory)': \(systemErrorText(errno))" }
        rmdir(made)
        return nil
    }
}

extension RunDirectory {
    /// Whether `url` holds a run (its manifest.json).
    public static func holdsRun(at url: URL) -> Bool {
        contentsOrNil(url)?.hasManifest == true
    }

    /// `--resume` continues a run: a directory that is missing, empty or holds no manifest.json is
    /// refused before any work (resuming "nothing" would silently start a new run under a flag that
    /// promises to continue one).
    public static func requireRunToResume(at url: URL) throws {
        guard holdsRun(at: url) else {
            throw RunStoreError("--resume: '\(url.path)' holds no run to resume; drop --resume to start one")
        }
    }
}
