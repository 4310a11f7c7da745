/// `multi`: one worker thread driving one multi handle, with up to K transfers in flight; one
/// is added as one finishes, and `curl_multi_poll` sleeps until a socket or timer is ready.
struct MultiFetch: FetchWorkerPlan {
    func windows(concurrency: Int, threads: Int) -> [Int] { [max(1, concurrency)] }
}
