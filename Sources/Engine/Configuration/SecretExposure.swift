import Foundation

/// Warnings about secrets that other users of the machine can read.
///
/// A configuration file is often left at the 0644 an editor gives it; a
/// password in its `broker.url` is then readable by every account. tweetd
/// still starts (refusing would turn a permissions slip into an outage) but
/// says what to fix.
public enum SecretExposure {
    /// The warnings for the configuration file at `path` and the secret files it names,
    /// one line each; empty when nothing is exposed.
    public static func warnings(configurationFile path: String) -> [String] {
        guard let text = try? String(contentsOfFile: path, encoding: .utf8),
              let tree = try? ConfigurationValue.parse(yaml: text, source: path)
        else { return [] }
        var warnings: [String] = []
        var urls: [(key: String, url: String)] = []
        if case .scalar(let url)? = value(at: ["broker", "url"], in: tree) { urls.append(("broker.url", url)) }
        switch value(at: ["broker", "urls"], in: tree) {
        case .scalar(let url)?: urls.append(("broker.urls", url))
        case .list(let items)?:
            for case .scalar(let url) in items { urls.append(("broker.urls", url)) }
        default: break
        }
        if isReadableByEveryone(path), let exposed = urls.first(where: { urlHoldsPassword($0.url) }) {
            warnings.append(
                "\(path) is readable by every user and holds the broker password in \(exposed.key): "
                    + "chmod 0640 it (group tweetd), or move the password to broker.password_env or broker.password_file"
            )
        }
        if case .scalar(let file)? = value(at: ["broker", "password_file"], in: tree), isReadableByEveryone(file) {
            warnings.append("broker.password_file \(file) is readable by every user: chmod 0640 it (group tweetd)")
        }
        for case (let name, let provider) in mapping(tree, "providers") {
            if case .scalar(let file)? = value(at: ["api_key_file"], in: provider), isReadableByEveryone(file) {
                warnings.append("providers.\(name).api_key_file \(file) is readable by every user: chmod 0640 it (group tweetd)")
            }
        }
        return warnings
    }

    /// The warning for a `--broker-url` holding a password, or `nil`: a
    /// process's command line is readable by every user (`ps`,
    /// `/proc/<pid>/cmdline`) for as long as it runs. The password is not
    /// in the warning.
    public static func warning(commandLineBrokerURL url: String) -> String? {
        guard urlHoldsPassword(url) else { return nil }
        return "--broker-url holds the broker password, which every user of this machine can read with ps: "
            + "use broker.password_file, broker.password_env or the TWEETD_BROKER_URL (TWEETD_BROKER_URLS for a cluster) "
            + "environment variable instead"
    }

    /// True when the URL carries a password other than RabbitMQ's well-known `guest:guest`,
    /// which only works from the broker's own machine and reveals nothing.
    static func urlHoldsPassword(_ url: String) -> Bool {
        guard let parsed = try? BrokerConfiguration.ParsedURL(parsing: url, key: "broker.url"),
              let schemeEnd = url.range(of: "://"),
              let at = url[schemeEnd.upperBound...].split(separator: "/", maxSplits: 1).first?.lastIndex(of: "@"),
              url[schemeEnd.upperBound..<at].contains(":")
        else { return false }
        return !(parsed.username == "guest" && parsed.password == "guest")
    }

    private static func isReadableByEveryone(_ path: String) -> Bool {
        var status = stat()
        return stat(path, &status) == 0 && status.st_mode & S_IROTH != 0
    }

    private static func value(at path: [String], in tree: ConfigurationValue) -> ConfigurationValue? {
        var node = tree
        for key in path {
            guard case .mapping(let pairs) = node, let next = pairs.first(where: { $0.key == key })?.value else { return nil }
            node = next
        }
        return node
    }

    private static func mapping(_ tree: ConfigurationValue, _ key: String) -> [(key: String, value: ConfigurationValue)] {
        guard case .mapping(let pairs)? = value(at: [key], in: tree) else { return [] }
        return pairs
    }
}
