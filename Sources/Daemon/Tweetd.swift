import ArgumentParser
import Engine
import Foundation

/// The `tweetd` command: the daemon and the tools around it.
@main
struct Tweetd: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "tweetd",
        abstract: "Consume tweets from RabbitMQ, analyse them, publish the results.",
        discussion: """
            Exit codes: 0 ok, 1 runtime failure, 2 bad usage or configuration.
            Configuration: --config FILE, else $TWEETD_CONFIG, else /etc/tweetd/tweetd.yaml when it exists; \
            TWEETD_<SECTION>_<KEY> environment variables and flags override it.
            """,
        version: TweetdVersion.current,
        subcommands: [RunCommand.self, SetupCommand.self, PublishCommand.self, ReplayCommand.self, SubscribeCommand.self, StatusCommand.self]
    )

    /// Parses and runs, mapping errors to the documented exit codes (ArgumentParser's own usage code is 64).
    static func main() async {
        do {
            var command = try parseAsRoot()
            if var asyncCommand = command as? any AsyncParsableCommand {
                try await asyncCommand.run()
            } else {
                try command.run()
            }
        } catch let failure as CommandFailure {
            FileHandle.standardError.write(Data("tweetd: \(failure.message)\n".utf8))
            Foundation.exit(failure.exitCode)
        } catch {
            let code = exitCode(for: error)
            if code == .validationFailure {
                FileHandle.standardError.write(Data((fullMessage(for: error) + "\n").utf8))
                Foundation.exit(CommandFailure.usageExitCode)
            }
            exit(withError: error)
        }
    }
}

/// A failure that ends the command with a one-line message and a documented exit code.
struct CommandFailure: Error {
    static let runtimeExitCode: Int32 = 1
    static let usageExitCode: Int32 = 2

    var message: String
    var exitCode: Int32

    /// Bad usage or configuration: exit 2.
    static func usage(_ message: String) -> CommandFailure {
        CommandFailure(message: message, exitCode: usageExitCode)
    }

    /// Something failed while running: exit 1.
    static func runtime(_ message: String) -> CommandFailure {
        CommandFailure(message: message, exitCode: runtimeExitCode)
    }
}
