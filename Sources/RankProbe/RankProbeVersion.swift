/// The tool's version: the one string behind `rankprobe --version`, every result's `tool_version` and the
/// batch report's footer.
public enum RankProbeVersion {
    public static let string = "0.1.0"
}
