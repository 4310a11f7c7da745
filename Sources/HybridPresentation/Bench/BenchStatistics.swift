import HybridKit

/// The statistics a sweep reports of repeated runs: on a shared, noisy machine the minimum is the
/// best estimate of what the work costs, the median of what a user sees.
package enum BenchStatistics {
    /// The smallest value; `nil` for none.
    package static func minimum(_ values: [Double]) -> Double? { values.min() }

    /// The middle value of the sorted values, or the mean of the middle two; `nil` for none.
    package static func median(_ values: [Double]) -> Double? {
        guard !values.isEmpty else { return nil }
        let sorted = values.sorted()
        let middle = sorted.count / 2
        return sorted.count % 2 == 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2
    }
}
