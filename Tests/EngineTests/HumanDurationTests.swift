import Engine
import Testing

@Suite("Durations as operators write them")
struct HumanDurationTests {
    @Test("Each unit reads as the duration it names", arguments: [
        ("30s", Duration.seconds(30)), ("10m", .seconds(600)), ("2h", .seconds(7200)), ("1d", .seconds(86_400)),
        ("250ms", .milliseconds(250)), ("1h30m", .seconds(5400)), ("1.5h", .seconds(5400)), (" 45S ", .seconds(45)),
        ("0s", .zero),
    ])
    func unitsParse(text: String, expected: Duration) throws {
        #expect(try HumanDuration.parse(text) == expected)
    }

    @Test("A bare number, an unknown unit or garbage is refused with a hint", arguments: [
        "30", "", "10x", "m", "-5s", "1h 30m", "s30", "1e3s", "99999999999d",
    ])
    func badTextIsRefused(text: String) {
        let error = #expect(throws: HumanDuration.ParseError.self) { try HumanDuration.parse(text) }
        #expect(error?.description.contains("30s, 10m, 2h, 1d") == true)
    }

    @Test("Formatting keeps the two largest units, for ETAs and ages")
    func formatting() {
        #expect(HumanDuration.format(seconds: 0.4) == "0s")
        #expect(HumanDuration.format(seconds: 42) == "42s")
        #expect(HumanDuration.format(seconds: 185) == "3m05s")
        #expect(HumanDuration.format(seconds: 2 * 3600 + 7 * 60 + 30) == "2h07m")
        #expect(HumanDuration.format(seconds: 86_400 + 3 * 3600) == "1d03h")
        #expect(HumanDuration.format(seconds: -3) == "0s")
        #expect(HumanDuration.format(seconds: .infinity) == "?")
        #expect(HumanDuration.format(.seconds(90)) == "1m30s")
    }
}
