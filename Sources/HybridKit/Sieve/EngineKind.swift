/// Who runs the sieve's hot loop.
public enum EngineKind: String, CaseIterable, Sendable, Codable {
    /// CSieve's C loop.
    case c
    /// The Swift port of the same algorithm.
    case swift
}
