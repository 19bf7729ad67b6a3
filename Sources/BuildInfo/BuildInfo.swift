/// The version of phaseflow and the git commit it was built from (recorded in every run manifest
/// and printed by `phaseflow --version`). The commit comes from `BuildCommitPlugin` at build time:
/// `git rev-parse HEAD` of the package checkout, with `-dirty` when tracked files were modified, or
/// "unknown" outside a checkout.
///
///     print(BuildInfo.version, BuildInfo.commit)   // 0.5.0 0ee402d…
public enum BuildInfo {
    public static let version = "0.5.0"
    public static let commit = buildCommit
    /// "0.5.0 (commit 0ee402d…)": the `--version` line.
    public static var description: String { "\(version) (commit \(commit))" }
}
