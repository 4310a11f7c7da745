/// `serial`: one worker thread with one reused easy handle, one transfer after another: the
/// baseline every other strategy is held against.
struct SerialFetch: FetchWorkerPlan {
    func windows(concurrency: Int, threads: Int) -> [Int] { [0] }
}
