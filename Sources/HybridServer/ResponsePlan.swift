/// What the server answers to one request: the defaults, changed by the path's overrides.
///
/// The path is read as name/value pairs, so overrides combine: `/delay/200/bytes/10/status/503`
/// waits 200 ms and answers 503 with a 10-byte body. `/redirect/N` answers 302 to the same path
/// with `/redirect/N-1`, so N hops end in the path's other answer. `/stall/MS` sends the head
/// and the first byte of the body, then waits MS before the rest (a server that stalls, for
/// stall time-outs). Segments that name no override are ignored, so every path gets an answer.
struct ResponsePlan: Equatable, Sendable {
    /// The largest `/bytes/N` honoured: a typo must not make the server allocate gigabytes.
    static let maximumBytes = 64 << 20
    /// The longest `/delay/MS` honoured (ten minutes).
    static let maximumDelayMilliseconds = 600_000
    /// The most `/redirect/N` hops honoured.
    static let maximumRedirects = 1000

    var delayMilliseconds: Int
    /// How long the body waits after its first byte; 0 sends it whole.
    var stallMilliseconds = 0
    var bytes: Int
    var status: Int
    /// Set when an override's value is not a number in range; the server answers 400 with it.
    var problem: String?
    /// The `Location` of a `/redirect/N` answer (N > 0): the path with N - 1.
    var location: String?

    init(path: Substring, defaultDelayMilliseconds: Int, defaultBytes: Int) {
        delayMilliseconds = defaultDelayMilliseconds
        bytes = defaultBytes
        status = 200
        problem = nil
        let pathOnly = path.prefix { $0 != "?" && $0 != "#" }
        let segments = pathOnly.split(separator: "/")
        var index = segments.startIndex
        while index < segments.endIndex {
            let name = segments[index]
            let valueIndex = segments.index(after: index)
            guard ["delay", "stall", "bytes", "status", "redirect"].contains(name) else {
                index = valueIndex
                continue
            }
            guard valueIndex < segments.endIndex else {
                problem = "/\(name) needs a value"
                return
            }
            let value = Int(segments[valueIndex])
            switch name {
            case "delay":
                guard let value, (0...Self.maximumDelayMilliseconds).contains(value) else {
                    problem = "delay must be 0...\(Self.maximumDelayMilliseconds) ms"
                    return
                }
                delayMilliseconds = value
            case "stall":
                guard let value, (0...Self.maximumDelayMilliseconds).contains(value) else {
                    problem = "stall must be 0...\(Self.maximumDelayMilliseconds) ms"
                    return
                }
                stallMilliseconds = value
            case "bytes":
                guard let value, (0...Self.maximumBytes).contains(value) else {
                    problem = "bytes must be 0...\(Self.maximumBytes)"
                    return
                }
                bytes = value
            case "redirect":
                guard let value, (0...Self.maximumRedirects).contains(value) else {
                    problem = "redirect must be 0...\(Self.maximumRedirects) hops"
                    return
                }
                if value > 0 {
                    var hop = segments
                    hop[valueIndex] = Substring(String(value - 1))
                    location = "/" + hop.joined(separator: "/")
                }
            default:
                // 1xx is not a final answer, so it would leave a client waiting.
                guard let value, (200...599).contains(value) else {
                    problem = "status must be 200...599"
                    return
                }
                status = value
            }
            index = segments.index(after: valueIndex)
        }
    }

    /// The status answered: 302 for a redirect hop, else the path's.
    var answeredStatus: Int { location != nil ? 302 : status }

    /// Whether the answer may carry a body (RFC 9110: never for 204 and 304).
    var allowsBody: Bool { answeredStatus != 204 && answeredStatus != 304 }
}
