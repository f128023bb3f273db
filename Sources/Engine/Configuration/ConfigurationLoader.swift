import Foundation

/// Merges the configuration sources — defaults, YAML, environment,
/// overrides — into a ``TweetdConfiguration``.
///
/// Every source is checked against one schema (``ConfigurationSchema``), so a
/// key means the same thing and gets the same checks whichever way it is set.
/// Errors name the key as the operator wrote it: the YAML path, the variable
/// or the override key.
///
/// Providers are merged last: their assignments are collected per name and
/// applied in ``finish(environment:)`` over the right base (the built-in
/// entry, or the defaults of the kind a new entry names), because a new
/// provider's `kind` may come after its other keys, or from another source.
struct ConfigurationLoader {
    /// One provider key set by one source.
    private struct ProviderAssignment {
        var key: String
        var value: ConfigurationValue
        var source: String
    }

    private var configuration = TweetdConfiguration()
    /// Dotted paths set by some source, so derived defaults (`prefetch`)
    /// follow the values they derive from only when not set explicitly.
    private var explicitlySet: Set<String> = []
    /// Provider names in order of first appearance, built-in ones first.
    private var providerNames: [String] = TweetdConfiguration.builtInProviders.map(\.name)
    private var providerAssignments: [String: [ProviderAssignment]] = [:]

    private typealias Schema = ConfigurationSchema

    // MARK: - YAML

    /// Applies a parsed YAML document; `source` names it in errors.
    mutating func apply(yaml root: ConfigurationValue, source: String) throws(ConfigurationError) {
        guard case .mapping(let sections) = root else {
            throw ConfigurationError(
                key: source,
                problem: "expected a mapping of sections (\(Schema.sections.joined(separator: ", ")))"
                    + " at the top level, got \(root.shown)"
            )
        }
        // One place must say where the broker is: with both, which one wins would depend on their order.
        if let broker = sections.first(where: { $0.key == "broker" })?.value, case .mapping(let keys) = broker,
            keys.contains(where: { $0.key == "url" }), keys.contains(where: { $0.key == "urls" })
        {
            throw ConfigurationError(key: "broker.urls", problem: "set only one of broker.url and broker.urls (a list of one is fine)")
        }
        for (section, value) in sections {
            try Schema.rejectSecret(named: section, path: section)
            if section == "providers" {
                try applyProviders(yaml: value)
            } else if Schema.sections.contains(section) {
                try walk(value, path: section)
            } else {
                throw Schema.unknownKey(section, among: Schema.sections)
            }
        }
    }

    private mutating func walk(_ value: ConfigurationValue, path: String) throws(ConfigurationError) {
        for (key, child) in try value.pairs(path) {
            let childPath = "\(path).\(key)"
            try Schema.rejectSecret(named: key, path: childPath)
            if let setting = Schema.setting(at: childPath) {
                try set(setting, to: child, source: childPath)
            } else if Schema.isGroup(childPath) {
                try walk(child, path: childPath)
            } else {
                throw Schema.unknownKey(childPath, among: Schema.keys(under: path))
            }
        }
    }

    private mutating func applyProviders(yaml value: ConfigurationValue) throws(ConfigurationError) {
        for (name, entry) in try value.pairs("providers") {
            let path = "providers.\(name)"
            try Schema.checkProviderName(name, key: path)
            for (key, child) in try entry.pairs(path) {
                try assignProvider(name, key: key, value: child, source: "\(path).\(key)")
            }
            noteProvider(name)
        }
    }

    // MARK: - Environment

    /// Applies `MAX_WORKERS`, `BATCH_SIZE`, then the `TWEETD_*` variables.
    mutating func apply(environment: [String: String]) throws(ConfigurationError) {
        // The original pipeline's names; empty ones are ignored, as a
        // compose file's `MAX_WORKERS=${MAX_WORKERS}` leaves them empty.
        for (variable, path) in [("MAX_WORKERS", "processing.workers"), ("BATCH_SIZE", "processing.prefetch")] {
            if let text = environment[variable], !ConfigurationValue.trimmed(text).isEmpty,
                let setting = Schema.setting(at: path)
            {
                try set(setting, to: .text(text), source: variable)
            }
        }
        let prefix = "TWEETD_"
        if environment["TWEETD_BROKER_URL"].map({ !ConfigurationValue.trimmed($0).isEmpty }) == true,
            environment["TWEETD_BROKER_URLS"].map({ !ConfigurationValue.trimmed($0).isEmpty }) == true
        {
            throw ConfigurationError(key: "TWEETD_BROKER_URLS", problem: "set only one of TWEETD_BROKER_URL and TWEETD_BROKER_URLS")
        }
        for variable in environment.keys.sorted() where variable.hasPrefix(prefix) {
            let rest = variable.dropFirst(prefix.count)
            guard let section = Schema.sections.first(where: { rest.hasPrefix($0.uppercased() + "_") }) else {
                continue  // not a configuration variable (TWEETD_CONFIG, TWEETD_TEST_…)
            }
            let keyPart = String(rest.dropFirst(section.count + 1))
            let value = ConfigurationValue.text(environment[variable] ?? "")
            if section == "providers" {
                try applyProviderVariable(variable, keyPart: keyPart, value: value)
            } else if let setting = Schema.setting(environmentName: String(rest)) {
                try set(setting, to: value, source: variable)
            } else {
                try Schema.rejectSecret(named: keyPart.lowercased(), path: variable, section: section)
                let known = Schema.settings.map(\.path).filter { $0.hasPrefix(section + ".") }
                    .map { prefix + Schema.environmentName(of: $0) }
                throw Schema.unknownKey(variable, among: known, problem: "unknown setting")
            }
        }
    }

    /// `TWEETD_PROVIDERS_<NAME>_<KEY>`: the key is the longest known key
    /// ending the variable, the name what comes before.
    private mutating func applyProviderVariable(
        _ variable: String,
        keyPart: String,
        value: ConfigurationValue
    ) throws(ConfigurationError) {
        let match = Schema.providerSettings.map(\.path)
            .sorted { $0.count > $1.count }
            .first { keyPart.hasSuffix("_" + $0.uppercased()) && keyPart.count > $0.count + 1 }
        guard let key = match else {
            for secret in Schema.secretKeys where keyPart.hasSuffix(secret.uppercased()) {
                try Schema.rejectSecret(named: secret, path: variable, section: "providers")
            }
            let keys = Schema.providerSettings.map { $0.path.uppercased() }.joined(separator: ", ")
            throw ConfigurationError(
                key: variable,
                problem: "unknown setting: expected TWEETD_PROVIDERS_<NAME>_<KEY> with KEY one of \(keys)"
            )
        }
        let namePart = String(keyPart.dropLast(key.count + 1))
        let matches = providerNames.filter { Schema.environmentName(ofProvider: $0) == namePart }
        let name: String
        switch matches.count {
        case 0: name = namePart.lowercased()
        case 1: name = matches[0]
        default:
            throw ConfigurationError(
                key: variable,
                problem:
                    "matches providers \(matches.joined(separator: " and ")); set it in the file or with an override"
            )
        }
        try Schema.checkProviderName(name, key: variable)
        try assignProvider(name, key: key, value: value, source: variable)
        noteProvider(name)
    }

    // MARK: - Overrides

    /// Applies command-line overrides, keyed by dotted path.
    mutating func apply(overrides: [String: String]) throws(ConfigurationError) {
        for key in overrides.keys.sorted() {
            let value = ConfigurationValue.text(overrides[key] ?? "")
            let parts = key.split(separator: ".", omittingEmptySubsequences: false).map(String.init)
            if let last = parts.last {
                try Schema.rejectSecret(named: last, path: key, section: parts.first ?? "")
            }
            if parts.first == "providers" {
                guard parts.count == 3 else {
                    throw ConfigurationError(key: key, problem: "expected providers.<name>.<key>")
                }
                try Schema.checkProviderName(parts[1], key: key)
                try assignProvider(parts[1], key: parts[2], value: value, source: key)
                noteProvider(parts[1])
            } else if let setting = Schema.setting(at: key) {
                try set(setting, to: value, source: key)
            } else {
                throw Schema.unknownKey(key, typed: key, among: Schema.settings.map(\.path))
            }
        }
    }

    // MARK: - Merging

    private mutating func set(
        _ setting: ConfigurationSchema.Setting<TweetdConfiguration>,
        to value: ConfigurationValue,
        source: String
    ) throws(ConfigurationError) {
        try setting.apply(&configuration, value, source)
        explicitlySet.insert(setting.path)
    }

    private mutating func assignProvider(
        _ name: String,
        key: String,
        value: ConfigurationValue,
        source: String
    ) throws(ConfigurationError) {
        try Schema.rejectSecret(named: key, path: source, section: "providers")
        guard Schema.providerSetting(key) != nil else {
            throw Schema.unknownKey(source, typed: key, among: Schema.providerSettings.map(\.path))
        }
        providerAssignments[name, default: []].append(ProviderAssignment(key: key, value: value, source: source))
    }

    private mutating func noteProvider(_ name: String) {
        if !providerNames.contains(name) { providerNames.append(name) }
    }

    /// Builds the providers, fills derived defaults, reads the broker
    /// credentials and validates the result.
    mutating func finish(environment: [String: String]) throws(ConfigurationError) -> TweetdConfiguration {
        var result = configuration
        if !explicitlySet.contains("processing.prefetch") {
            result.processing.prefetch = result.processing.workers
        }
        var providers: [String: ProviderConfiguration] = [:]
        for name in providerNames {
            providers[name] = try buildProvider(name, workers: result.processing.workers)
        }
        result.providers = providers
        try Self.resolveCredentials(of: &result.broker, environment: environment)
        try result.validate()
        return result
    }

    private func buildProvider(_ name: String, workers: Int) throws(ConfigurationError) -> ProviderConfiguration {
        let assignments = providerAssignments[name] ?? []
        let builtInKind = TweetdConfiguration.builtInProviders.first { $0.name == name }?.kind
        var provider: ProviderConfiguration
        if let builtInKind {
            provider = ProviderConfiguration(name: name, kind: builtInKind, workers: workers)
        } else {
            // A new provider starts from the defaults of the kind it names.
            var kind: ProviderKind?
            for assignment in assignments where assignment.key == "kind" {
                kind = try assignment.value.choice(assignment.source, of: ProviderKind.self)
            }
            guard let kind else {
                let kinds = ProviderKind.allCases.map(\.rawValue).joined(separator: ", ")
                throw ConfigurationError(
                    key: "providers.\(name).kind",
                    problem: "required for a provider that is not built in (one of \(kinds))"
                )
            }
            provider = ProviderConfiguration(name: name, kind: kind, workers: workers)
        }
        var setKeys: Set<String> = []
        for assignment in assignments {
            guard let setting = Schema.providerSetting(assignment.key) else { continue }
            try setting.apply(&provider, assignment.value, assignment.source)
            setKeys.insert(assignment.key)
        }
        // Naming a key file replaces the kind's default key variable.
        if setKeys.contains("api_key_file"), provider.apiKeyFile != nil, !setKeys.contains("api_key_env") {
            provider.apiKeyEnv = nil
        }
        if !setKeys.contains("burst") {
            provider.burst = ProviderConfiguration.defaultBurst(rpm: provider.rpm, shared: provider.shared)
        }
        if !setKeys.contains("max_concurrency") {
            provider.maxConcurrency = workers
        }
        return provider
    }

    // MARK: - Secrets

    /// Replaces the URL's credentials with those named by `username_env`,
    /// `password_env` or `password_file`.
    private static func resolveCredentials(
        of broker: inout BrokerConfiguration,
        environment: [String: String]
    ) throws(ConfigurationError) {
        if let variable = broker.usernameEnv {
            broker.username = try value(of: variable, in: environment, key: "broker.username_env")
        }
        if broker.passwordEnv != nil, broker.passwordFile != nil {
            throw ConfigurationError(
                key: "broker.password_file",
                problem: "set only one of broker.password_env and broker.password_file"
            )
        }
        if let variable = broker.passwordEnv {
            broker.password = try value(of: variable, in: environment, key: "broker.password_env")
        }
        if let path = broker.passwordFile {
            broker.password = try readSecret(file: path, key: "broker.password_file")
        }
    }

    private static func value(
        of variable: String,
        in environment: [String: String],
        key: String
    ) throws(ConfigurationError) -> String {
        guard let value = environment[variable], !value.isEmpty else {
            throw ConfigurationError(key: key, problem: "environment variable \(variable) is not set or empty")
        }
        return value
    }

    /// The trimmed content of a secret file; never shown in an error.
    static func readSecret(file path: String, key: String) throws(ConfigurationError) -> String {
        let secret = ConfigurationValue.trimmed(try readText(at: path, key: key, what: path))
        guard !secret.isEmpty else {
            throw ConfigurationError(key: key, problem: "\(path) is empty")
        }
        return secret
    }

    /// The UTF-8 text of the file at `path`; errors name `key` and say why
    /// `what` cannot be read.
    static func readText(at path: String, key: String, what: String) throws(ConfigurationError) -> String {
        let files = FileManager.default
        var isDirectory: ObjCBool = false
        guard files.fileExists(atPath: path, isDirectory: &isDirectory) else {
            throw ConfigurationError(key: key, problem: "cannot read \(what): no such file")
        }
        guard !isDirectory.boolValue else {
            throw ConfigurationError(key: key, problem: "cannot read \(what): it is a directory")
        }
        guard let data = files.contents(atPath: path) else {
            throw ConfigurationError(key: key, problem: "cannot read \(what): permission denied")
        }
        guard let text = String(data: data, encoding: .utf8) else {
            throw ConfigurationError(key: key, problem: "cannot read \(what): not UTF-8 text")
        }
        return text
    }
}
