import Testing

@testable import HybridServer

@Suite("Server path overrides")
struct ResponsePlanTests {
    func plan(_ path: String) -> ResponsePlan {
        ResponsePlan(path: path[...], defaultDelayMilliseconds: 50, defaultBytes: 1024)
    }

    @Test("defaults, single and combined overrides")
    func overrides() {
        #expect(plan("/") == plan("/anything/else?x=1"))
        #expect(
            plan("/").delayMilliseconds == 50 && plan("/").bytes == 1024 && plan("/").status == 200)
        #expect(plan("/delay/0").delayMilliseconds == 0)
        #expect(plan("/bytes/7").bytes == 7)
        #expect(plan("/status/503").status == 503)
        let combined = plan("/delay/10/bytes/3/status/404?q")
        #expect(combined.delayMilliseconds == 10 && combined.bytes == 3 && combined.status == 404)
    }

    @Test("values out of range are problems, answered with 400")
    func problems() {
        #expect(plan("/status/99").problem != nil)
        #expect(plan("/bytes/-1").problem != nil)
        #expect(plan("/delay/abc").problem != nil)
        #expect(plan("/bytes").problem != nil)
        #expect(plan("/status/204").problem == nil && !plan("/status/204").allowsBody)
    }

    @Test("/redirect/N answers 302 to the same path with N - 1; /redirect/0 answers as usual")
    func redirects() {
        #expect(plan("/redirect/3/bytes/5").location == "/redirect/2/bytes/5")
        #expect(plan("/redirect/3/bytes/5").answeredStatus == 302)
        #expect(plan("/redirect/0/bytes/5").location == nil)
        #expect(plan("/redirect/0/status/404").answeredStatus == 404)
        #expect(plan("/redirect/-1").problem != nil && plan("/redirect/1001").problem != nil)
    }

    @Test("/stall/MS holds the body after its first byte; out of range is a problem")
    func stall() {
        #expect(plan("/stall/500/bytes/3").stallMilliseconds == 500)
        #expect(plan("/").stallMilliseconds == 0)
        #expect(plan("/stall/-1").problem != nil && plan("/stall/600001").problem != nil)
    }
}
