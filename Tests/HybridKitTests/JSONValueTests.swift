import Testing

@testable import HybridKit

@Suite("JSON numbers are written to the digits that were measured")
struct JSONValueTests {
    @Test(
        "six significant digits, a whole number with .0, exponents far from 1",
        arguments: [
            (0.00038285899995571526, "0.000382859"), (4.91, "4.91"), (1.0, "1.0"), (0, "0.0"),
            (2.2800000000000002, "2.28"), (-0.5, "-0.5"), (1_021_429.0479998454, "1021430.0"),
            (0.999_999_7, "1.0"), (123.456_789, "123.457"), (1.5e-9, "1.5e-09"), (2.5e20, "2.5e+20"),
            (9.999_999_9e-9, "1.0e-08"), (0.1, "0.1"),
        ] as [(Double, String)])
    func decimal(value: Double, text: String) {
        #expect(JSONValue.decimal(value) == text)
        #expect(JSONValue.number(value).serialized() == text)
    }

    @Test("what is written reads back within the sixth digit")
    func roundTrip() {
        for value in [0.00038285899995571526, 1.0214290479998454, 7_531.123_456, 3e-8] {
            let read = Double(JSONValue.decimal(value))!
            #expect((read - value).magnitude <= value.magnitude * 5e-6)
        }
        #expect(JSONValue.number(.infinity).serialized() == "null")
    }
}
