/// `threads-multi`: T worker threads, each driving its own multi handle; their windows add up
/// to K (split as evenly as possible), so libcurl's per-transfer CPU work spreads over cores.
struct ThreadsMultiFetch: FetchWorkerPlan {
    func windows(concurrency: Int, threads: Int) -> [Int] {
        // Never more threads than transfers: a thread with an empty window would do nothing.
        let total = max(1, concurrency)
        let count = min(max(1, threads), total)
        return (0..<count).map { total / count + ($0 < total % count ? 1 : 0) }
    }
}
