/// The serial strategy for ``Pool``: every item in turn on the calling thread (the supervisor's,
/// for the async forms). A time-out cannot stop an item here: one that ran too long is reported
/// as timed out when it returns, and its result is dropped.
@usableFromInline
enum SerialPool {
    @usableFromInline static func run<Input, Output: Sendable>(
        _ schedule: PoolSchedule<Input, Output>, policy: PoolPolicy, stop: PoolStop,
        body: (Input) throws -> Output
    ) {
        policy.initializer?(0)
        let timeout = policy.timeoutSeconds
        while !stop.isRaised, let (index, input) = schedule.take() {
            let start = timeout == nil ? 0 : Syscalls.monotonicSeconds()
            var result: Result<Output, PoolFailure>
            do {
                result = .success(try body(input))
            } catch {
                result = .failure(.threw(error))
            }
            if let timeout, Syscalls.monotonicSeconds() - start > timeout { result = .failure(.timedOut) }
            schedule.settle(index, result)
        }
        schedule.cancelUnsettled()
    }
}
