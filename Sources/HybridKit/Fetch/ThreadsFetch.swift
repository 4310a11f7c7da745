/// `threads`: T worker threads, each with its own easy handle (libcurl handles are never shared
/// between threads), each taking the next URL from the batch (under its lock) as soon as
/// its last transfer ends, so a slow URL holds up only its own thread.
struct ThreadsFetch: FetchWorkerPlan {
    func windows(concurrency: Int, threads: Int) -> [Int] {
        Array(repeating: 0, count: max(1, threads))
    }
}
