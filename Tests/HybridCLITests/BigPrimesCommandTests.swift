import Foundation
import Testing

/// `hybrid bigprimes` and `hybrid isprime`, run as a program. bigprimes forks by default, so the
/// suite runs one test at a time.
@Suite("hybrid bigprimes and isprime, run as a program", .serialized)
struct BigPrimesCommandTests {
    @Test("--json prints bits, count, seed, the primes as strings, strategy, workers and seconds, in that order")
    func json() throws {
        let output = try HybridBinary.run([
            "bigprimes", "--bits", "64", "--count", "5", "--seed", "3", "--json", "--strategy", "threads", "--workers",
            "2",
        ])
        #expect(output.status == 0)
        #expect(output.standardError.isEmpty)
        #expect(output.standardOutput.hasPrefix(#"{"bits": 64, "count": 5, "seed": 3, "primes": [""#))
        let object = try JSONSerialization.jsonObject(with: Data(output.standardOutput.utf8)) as? [String: Any]
        let primes = object?["primes"] as? [String] ?? []
        #expect(primes.count == 5)
        #expect(primes.allSatisfy { UInt64($0).map { $0 >> 63 == 1 } == true })
        #expect(object?["strategy"] as? String == "threads")
        #expect(object?["workers"] as? Int == 2)
        #expect(output.standardOutput.contains(#"], "strategy": "threads", "workers": 2, "seconds": "#))
        #expect(object?["seconds"] is Double)
    }

    @Test("every strategy and worker count prints the same lines")
    func sameAcrossStrategies() throws {
        let arguments = ["bigprimes", "--bits", "128", "--count", "12", "--seed", "11"]
        let serial = try HybridBinary.run(arguments + ["--strategy", "serial"])
        #expect(serial.status == 0)
        #expect(serial.standardOutput.split(separator: "\n").count == 12)
        for (strategy, workers) in [("threads", "3"), ("processes", "2"), ("processes", "3")] {
            let other = try HybridBinary.run(arguments + ["--strategy", strategy, "--workers", workers])
            #expect(other.status == 0)
            #expect(other.standardOutput == serial.standardOutput, "\(strategy) x \(workers)")
        }
        let byDefault = try HybridBinary.run(arguments)
        #expect(byDefault.standardOutput == serial.standardOutput)
    }

    @Test("isprime classifies its arguments, and stdin lines without arguments")
    func isPrime() throws {
        let output = try HybridBinary.run([
            "isprime", "0", "1", "2", "561", "41041", "170141183460469231731687303715884105727",
        ])
        #expect(output.status == 0)
        #expect(
            output.standardOutput == """
                0 composite
                1 composite
                2 prime
                561 composite
                41041 composite
                170141183460469231731687303715884105727 probable prime

                """)
        let expressions = try HybridBinary.run(["isprime", "2^61-1", "2^64-59", "2^64-1", "1e9+7", "1_000_001"])
        #expect(expressions.status == 0)
        #expect(
            expressions.standardOutput
                == "2^61-1 prime\n2^64-59 prime\n2^64-1 composite\n1e9+7 prime\n1_000_001 composite\n")
        let piped = try HybridBinary.run(["isprime"], input: "13\n\n  15  \n97")
        #expect(piped.status == 0)
        #expect(piped.standardOutput == "13 prime\n15 composite\n97 prime\n")
    }

    @Test(
        "bad input: one line on stderr, exit 2, nothing on stdout",
        arguments: [
            ["bigprimes", "--bits", "1", "--count", "3"], ["bigprimes", "--bits", "65537", "--count", "3"],
            ["bigprimes", "--bits", "8", "--count", "0"], ["bigprimes", "--bits", "8", "--count", "1000001"],
            ["bigprimes", "--bits", "x", "--count", "3"], ["bigprimes", "--count", "3"], ["bigprimes", "--bits", "8"],
            ["bigprimes", "--bits", "8", "--count", "3", "--seed", "-1"],
            ["bigprimes", "--bits", "8", "--count", "3", "--strategy", "multi"],
            ["bigprimes", "--bits", "8", "--count", "3", "--workers", "0"],
            ["bigprimes", "--bits", "8", "--count", "3", "--bogus"],
            ["isprime", "12", "-5"], ["isprime", "1.5"], ["isprime", "0x11"], ["isprime", "7", "seven"],
            ["isprime", "2^64"], ["isprime", "1e-3"],
        ])
    func badInput(arguments: [String]) throws {
        let output = try HybridBinary.run(arguments)
        #expect(output.status == 2)
        #expect(output.standardOutput.isEmpty)
        #expect(output.standardError.hasPrefix("hybrid: "))
        #expect(output.standardError.split(separator: "\n").count == 1)
    }

    @Test("a bad line on stdin is bad input too")
    func badStandardInput() throws {
        let output = try HybridBinary.run(["isprime"], input: "1 000\n7\n")
        #expect(output.status == 2)
        #expect(output.standardOutput.isEmpty)
        #expect(output.standardError.split(separator: "\n").count == 1)
    }
}
