import Foundation
import RunStore

/// Opens the run directory of a sweep, refusing first a directory that holds files but no
/// manifest.json (results of an older phaseflow, or anything else): a run never writes into, and so
/// never overwrites, a directory it did not create. A directory holding only `lock` (a run stopped
/// before its manifest was written) is accepted.
///
///     let store = try openRunDirectory(at: URL(fileURLWithPath: "out/diagram"), manifest: manifest, resume: false)
public func openRunDirectory(at url: URL, manifest: Manifest, resume: Bool, extendable: Set<String> = []) throws -> RunDirectory {
    let fm = FileManager.default
    var isDirectory: ObjCBool = false
    if fm.fileExists(atPath: url.path, isDirectory: &isDirectory), isDirectory.boolValue,
       !fm.fileExists(atPath: url.appendingPathComponent(RunDirectory.manifestName).path) {
        let foreign = ((try? fm.contentsOfDirectory(atPath: url.path)) ?? []).filter { $0 != "lock" }.sorted()
        if let first = foreign.first {
            throw RunStoreError("'\(url.path)' holds \(first)\(foreign.count > 1 ? " and \(foreign.count - 1) other file(s)" : "") but no manifest.json (not a phaseflow run directory); choose another --out")
        }
    }
    return try RunDirectory.open(at: url, manifest: manifest, resume: resume, extendable: extendable)
}
