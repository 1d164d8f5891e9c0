/// The release both sides report: the daemon in `GetInfo` and `Stats`, the CLI in `--version`.
/// One constant, so the two binaries of a release can never disagree.
package enum TTSTrackVersion {
    package static let current = "0.1.0"
}
