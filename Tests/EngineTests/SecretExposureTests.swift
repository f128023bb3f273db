@testable import Engine
import Foundation
import Testing

@Suite("Secrets readable by other users")
struct SecretExposureTests {
    private func file(_ text: String, mode: mode_t) throws -> String {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("tweetd-secret-\(UUID().uuidString).yaml").path
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        chmod(path, mode)
        return path
    }

    @Test("A world-readable file with a password in broker.url earns one warning naming the fix, never the password")
    func worldReadablePassword() throws {
        let path = try file("broker:\n  url: amqp://tweetd:s3cret@broker.internal/\n", mode: 0o644)
        defer { try? FileManager.default.removeItem(atPath: path) }
        let warnings = SecretExposure.warnings(configurationFile: path)
        #expect(warnings.count == 1)
        #expect(warnings.first?.contains("chmod 0640") == true)
        #expect(warnings.first?.contains("s3cret") == false)
    }

    @Test("No warning at 0640, for guest:guest, or for a URL without a password", arguments: [
        ("amqp://tweetd:s3cret@broker.internal/", 0o640 as mode_t),
        ("amqp://guest:guest@localhost/", 0o644),
        ("amqps://tweetd@broker.internal/", 0o644),
    ])
    func nothingExposed(url: String, mode: mode_t) throws {
        let path = try file("broker:\n  url: \(url)\n", mode: mode)
        defer { try? FileManager.default.removeItem(atPath: path) }
        #expect(SecretExposure.warnings(configurationFile: path).isEmpty)
    }

    @Test("A password in --broker-url earns a warning naming the alternatives, never the password")
    func passwordOnTheCommandLine() throws {
        let warning = try #require(SecretExposure.warning(commandLineBrokerURL: "amqps://tweetd:s3cret@broker.internal/"))
        #expect(warning.contains("broker.password_file"))
        #expect(warning.contains("TWEETD_BROKER_URL"))
        #expect(!warning.contains("s3cret"))
        #expect(SecretExposure.warning(commandLineBrokerURL: "amqp://guest:guest@127.0.0.1:5672/") == nil)
        #expect(SecretExposure.warning(commandLineBrokerURL: "amqps://tweetd@broker.internal/") == nil)
    }

    @Test("A world-readable key file named by a provider earns a warning")
    func worldReadableKeyFile() throws {
        let key = try file("sk-test", mode: 0o644)
        let path = try file("providers:\n  gpt:\n    kind: openai\n    api_key_file: \(key)\n", mode: 0o600)
        defer {
            try? FileManager.default.removeItem(atPath: path)
            try? FileManager.default.removeItem(atPath: key)
        }
        #expect(SecretExposure.warnings(configurationFile: path) == ["providers.gpt.api_key_file \(key) is readable by every user: chmod 0640 it (group tweetd)"])
    }
}
