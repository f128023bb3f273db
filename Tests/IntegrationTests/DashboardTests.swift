import Foundation
import Testing

/// The dashboard at `/` on a real broker, rendered by headless Chromium.
@Suite("Dashboard in a real browser")
struct DashboardTests {
    static let chromium = "/usr/bin/chromium"

    /// Where screenshots go: $TWEETD_TEST_ARTIFACTS, else .build/test-artifacts in the package.
    static var artifacts: URL {
        if let directory = ProcessInfo.processInfo.environment["TWEETD_TEST_ARTIFACTS"], !directory.isEmpty {
            return URL(fileURLWithPath: directory)
        }
        return URL(fileURLWithPath: #filePath)
            .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent(".build/test-artifacts")
    }

    /// Runs headless Chromium on `url` with `arguments`; returns its standard output.
    static func chromium(_ arguments: [String], url: String) async throws -> String {
        guard FileManager.default.isExecutableFile(atPath: chromium) else {
            throw TestBroker.Missing(description: "\(chromium) is missing: `make deps` installs Debian's chromium package")
        }
        let output = FileManager.default.temporaryDirectory.appendingPathComponent("chromium-\(UUID().uuidString).out")
        _ = FileManager.default.createFile(atPath: output.path, contents: nil)
        defer { try? FileManager.default.removeItem(at: output) }
        let profile = FileManager.default.temporaryDirectory.appendingPathComponent("chromium-profile-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: profile) }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: chromium)
        // --no-sandbox: the tests may run as root; the page is our own.
        process.arguments = [
            "--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars", "--user-data-dir=\(profile.path)",
            "--virtual-time-budget=5000",
        ] + arguments + [url]
        process.standardOutput = try FileHandle(forWritingTo: output)
        process.standardError = FileHandle.nullDevice
        try process.run()
        let deadline = ContinuousClock.now + .seconds(60)
        while process.isRunning, ContinuousClock.now < deadline {
            try await Task.sleep(for: .milliseconds(100))
        }
        if process.isRunning {
            process.terminate()
            throw TestBroker.Missing(description: "chromium did not finish within 60 s")
        }
        return (try? String(contentsOf: output, encoding: .utf8)) ?? ""
    }

    @Test("The page shows the processed count and a row per provider, rendered by Chromium, with a screenshot")
    func dashboardRendersTheRun() async throws {
        try await FakeLLMServer.with(configuration: ["gpt": ["latency_ms": 5]]) { server in
            try await TestBroker.with { broker, client in
                let ids = (0..<25).map { "dash-\($0)" }
                try await broker.publish(ids.map { tweetBody(id: $0, text: "the dashboard looks great \($0)") }, with: client)
                let yaml = broker.configurationYAML(
                    workers: 4, chain: ["gpt"], metricsIntervalSeconds: 1,
                    extra: "providers:\n" + ProviderIntegrationTests.provider("gpt", kind: "openai-compatible", server: server)
                )
                let daemon = try DaemonProcess(arguments: ["run"], configuration: yaml)
                let base = try await daemon.metricsURL()
                let settled = await eventually(timeout: .seconds(60)) {
                    let stats = try? await LoopbackHTTP.request(base + "/api/stats").body
                    let object = stats.flatMap { try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any] }
                    let messages = (object?["snapshot"] as? [String: Any])?["messages"] as? [String: Any]
                    return messages?["settled"] as? Int == ids.count
                }
                #expect(settled, "\(daemon.standardError.suffix(2000))")

                let page = try await LoopbackHTTP.request(base + "/")
                #expect(page.status == 200)
                #expect(!page.body.contains("http://") && !page.body.contains("https://"), "nothing is fetched from elsewhere")

                let dom = try await Self.chromium(["--dump-dom"], url: base + "/")
                #expect(dom.contains(#"id="settled">25<"#), "the processed count is shown: \(dom.prefix(3000))")
                #expect(dom.contains(#"id="ok">25<"#))
                #expect(dom.contains(#"data-provider="gpt""#), "a row for the provider")
                #expect(dom.contains("broker: connected"))

                try FileManager.default.createDirectory(at: Self.artifacts, withIntermediateDirectories: true)
                let screenshot = Self.artifacts.appendingPathComponent("dashboard.png")
                try? FileManager.default.removeItem(at: screenshot)
                _ = try await Self.chromium(["--window-size=1280,1000", "--screenshot=\(screenshot.path)"], url: base + "/")
                let png = try Data(contentsOf: screenshot)
                #expect(png.starts(with: [0x89, 0x50, 0x4E, 0x47]), "a PNG at \(screenshot.path)")
                #expect(png.count > 10_000)
                print("dashboard screenshot: \(screenshot.path) (\(png.count) bytes)")

                daemon.terminate()
                #expect(await daemon.waitForExit(timeout: .seconds(30)) == 0)
            }
        }
    }
}
