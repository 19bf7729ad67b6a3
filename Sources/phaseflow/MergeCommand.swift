import ArgumentParser
import Foundation
import RunStore

/// `phaseflow merge`: joins the shard directories of one run (RunStore.RunMerge) into a new run
/// directory whose rows.csv is byte-identical to the unsharded run's.
///
///     phaseflow merge out/sim.1 out/sim.2 out/sim.3 --out out/sim
struct MergeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "merge",
        abstract: "Join the shards i/N of one run (all N, same settings) into one run directory.")

    @Argument(help: "The shard directories (any order).") var shards: [String]
    @Option(help: FlagHelp.out, transform: outputPath) var out: String

    func validate() throws {
        guard !shards.isEmpty else { throw ValidationError("merge needs the shard directories") }
        if shards.contains("") { throw ValidationError("merge: '' is not a run directory; name each shard directory") }
    }

    func run() throws {
        try RunMerge.merge(shards: shards.map { URL(fileURLWithPath: $0, isDirectory: true) },
                           into: URL(fileURLWithPath: out, isDirectory: true))
        try note("merged \(shards.count) shard(s) into \(out)")
    }
}
