import Configuration
import SystemPackage
import TTSTrackWire

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

extension DaemonConfiguration {
    /// A configuration that cannot be used; the message names the key.
    public struct Invalid: Error, Sendable, CustomStringConvertible {
        public let description: String
        public init(_ description: String) { self.description = description }
    }

    /// Reads the YAML file (when there is one), lets `TTSTRACK_*` environment variables
    /// override it, and fills every other key with its default. A value of the wrong type is
    /// an error, not silently replaced by the default.
    /// - Parameter file: `--config`; when `nil`, `/etc/ttstrack/ttstrackd.yaml` if it exists.
    public static func load(file: String?, environment: [String: String]) async throws -> DaemonConfiguration {
        let defaults = DaemonConfiguration(
            storePath: DefaultPaths.store(environment: environment),
            socketPath: DefaultSocketPath.resolve(environment: environment))
        var providers: [any ConfigProvider] = [
            EnvironmentVariablesProvider(environmentVariables: environment).prefixKeys(with: "ttstrack")
        ]
        let path = file ?? environment["TTSTRACK_CONFIG"] ?? DefaultPaths.defaultConfigFile
        do {
            providers.append(
                try await FileProvider<YAMLSnapshot>(filePath: FilePath(path), allowMissing: file == nil))
        } catch {
            throw Invalid("cannot read the configuration file \(path): \(error)")
        }
        let reader = ConfigReader(providers: providers)
        var config = defaults
        func double(_ key: ConfigKey, _ value: inout Double) throws {
            value = try reader.double(forKey: key) ?? Self.check(reader, key, as: "a number", default: value)
            // `inf`, `nan` and `1e400` parse as numbers; no setting means them, and a time of
            // them would overflow every schedule computed from it.
            if !value.isFinite { throw Invalid("\(key) must be a finite number, not \(value)") }
        }
        func int(_ key: ConfigKey, _ value: inout Int) throws {
            value = try reader.int(forKey: key) ?? Self.check(reader, key, as: "a whole number", default: value)
        }
        func string(_ key: ConfigKey, _ value: inout String) throws {
            value = try reader.string(forKey: key) ?? Self.check(reader, key, as: "a string", default: value)
        }
        /// A key whose value is one of a few words; `allowed` names them for the error.
        func choice<T: RawRepresentable<String>>(_ key: ConfigKey, _ value: inout T, _ allowed: String) throws {
            var text = value.rawValue
            try string(key, &text)
            guard let parsed = T(rawValue: text) else { throw Invalid("\(key) must be \(allowed), not \"\(text)\"") }
            value = parsed
        }
        try string("api.base_url", &config.apiBaseURL)
        try string("api.key_file", &config.apiKeyFile)
        try double("api.timeout", &config.apiTimeout)
        try string("api.ca_file", &config.apiCAFile)
        try string("api.proxy", &config.apiProxy)
        try choice("api.http_version", &config.apiHTTPVersion, "auto, http1 or http2")
        try string("store.path", &config.storePath)
        try string("control.socket", &config.socketPath)
        var mode = String(config.socketMode, radix: 8)
        try string("control.mode", &mode)
        guard let parsedMode = UInt32(mode, radix: 8) else {
            throw Invalid("control.mode must be an octal mode like \"0660\", not \(mode)")
        }
        config.socketMode = parsedMode
        try int("control.max_connections", &config.maxConnections)
        if let uids = reader.stringArray(forKey: "control.allow_uids") {
            config.allowUIDs = try uids.map { text in
                guard let uid = Int(text.trimmingWhitespace), uid >= 0 else {
                    throw Invalid("control.allow_uids must list user ids, not \"\(text)\"")
                }
                return uid
            }
        }
        if let groups = reader.stringArray(forKey: "control.allow_groups") {
            config.allowGroups = groups.map(\.trimmingWhitespace)
            for name in config.allowGroups where PeerAccess.groupID(named: name) == nil {
                throw Invalid("control.allow_groups names an unknown group \"\(name)\"")
            }
        }
        try double("control.message_timeout", &config.messageTimeout)
        try int("control.watch_buffer", &config.watchBuffer)
        try double("poll.first_delay", &config.poll.firstDelay)
        try double("poll.min_interval", &config.poll.minInterval)
        try double("poll.max_interval", &config.poll.maxInterval)
        try double("poll.backoff", &config.poll.backoff)
        try double("poll.rate", &config.poll.rate)
        try double("poll.burst", &config.poll.burst)
        try int("poll.concurrency", &config.poll.concurrency)
        try double("poll.give_up_after", &config.poll.giveUpAfter)
        try int("poll.not_found_after", &config.poll.notFoundAfter)
        try double("poll.jitter", &config.poll.jitter)
        // The adaptive schedule: poll.schedule, and the extensions poll.check_worth, poll.due_order.
        try choice("poll.schedule", &config.poll.schedule, "adaptive or backoff")
        try double("poll.check_worth", &config.poll.checkWorth)
        try choice("poll.due_order", &config.poll.dueOrder, "likeliest or oldest")
        try string("results.dir", &config.results.directory)
        if let kinds = reader.stringArray(forKey: "results.kinds") {
            config.results.kinds = kinds.map(\.trimmingWhitespace).filter { !$0.isEmpty }
        }
        try int("results.concurrency", &config.results.concurrency)
        var maxBytes = Int(config.results.maxBytes)
        try int("results.max_bytes", &maxBytes)
        config.results.maxBytes = Int64(maxBytes)
        try int("results.max_attempts", &config.results.maxAttempts)
        config.results.media =
            try reader.bool(forKey: "results.media")
            ?? Self.check(reader, "results.media", as: "true or false", default: config.results.media)
        // Delivery when a task ends (hooks.*, webhooks.*).
        config.hooks.exec = try Self.argv(reader, environment: environment)
        try double("hooks.timeout", &config.hooks.timeout)
        try int("hooks.concurrency", &config.hooks.concurrency)
        try int("hooks.max_attempts", &config.hooks.maxAttempts)
        try string("webhooks.url", &config.webhooks.url)
        try string("webhooks.secret_file", &config.webhooks.secretFile)
        try double("webhooks.timeout", &config.webhooks.timeout)
        try int("webhooks.max_attempts", &config.webhooks.maxAttempts)
        try int("webhooks.concurrency", &config.webhooks.concurrency)
        try double("events.retention_days", &config.eventsRetentionDays)
        try string("log.level", &config.logLevel)
        try string("metrics.listen", &config.metricsListen)
        if let problem = config.problem { throw Invalid(problem) }
        // Reads api.ca_file and parses the proxy now, so a broken one stops the start (or is
        // refused by a reload) instead of failing every check.
        _ = try config.clientSettings(apiKey: nil, environment: environment)
        // A hook program given by its path must be there; one found on PATH is looked up per run.
        if let program = config.hooks.exec.first, program.contains("/"), access(program, X_OK) != 0 {
            throw Invalid("hooks.exec names \(program), which is not an executable file; install it or fix the path")
        }
        // The same for the webhook secret: a missing or broken one stops the start, naming the file.
        if config.webhooks.isEnabled {
            do {
                _ = try WebhookSecret.load(path: config.webhooks.secretFile)
            } catch {
                throw Invalid(error.description)
            }
        }
        return config
    }

    /// `hooks.exec`: a list in the file; in `TTSTRACK_HOOKS_EXEC` (which wins) a JSON array of
    /// strings when it starts with `[`, else words split at white space.
    private static func argv(_ reader: ConfigReader, environment: [String: String]) throws -> [String] {
        if let text = environment["TTSTRACK_HOOKS_EXEC"] {
            let trimmed = text.trimmingWhitespace
            guard trimmed.hasPrefix("[") else { return trimmed.split(whereSeparator: \.isWhitespace).map(String.init) }
            guard case .array(let items)? = try? JSONParser.parse(trimmed),
                let argv = Optional(items.compactMap(\.stringValue)), argv.count == items.count
            else {
                throw Invalid(
                    "TTSTRACK_HOOKS_EXEC must be a JSON array of strings like [\"/usr/bin/hook\", \"--flag\"], or words separated by spaces"
                )
            }
            return argv
        }
        if let list = reader.stringArray(forKey: "hooks.exec") { return list }
        if let text = reader.string(forKey: "hooks.exec") {
            throw Invalid("hooks.exec must be a list (the program and its arguments), not \"\(text)\"")
        }
        return []
    }

    /// For a key the typed read found nothing for: the default when the key is absent, an
    /// error naming the key when it is present with a value of the wrong type.
    private static func check<T>(
        _ reader: ConfigReader, _ key: ConfigKey, as type: String, default value: T
    ) throws -> T {
        if let text = reader.string(forKey: key) {
            throw Invalid("\(key) must be \(type), not \"\(text)\"")
        }
        if let list = reader.stringArray(forKey: key) {
            throw Invalid("\(key) must be \(type), not a list \(list)")
        }
        return value
    }
}
