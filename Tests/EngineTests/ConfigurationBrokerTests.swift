import Engine
import Testing

@Suite("Configuration: broker URL and credentials")
struct ConfigurationBrokerTests {
    @Test(
        "URLs split into host, port, virtual host, credentials and TLS",
        arguments: [
            ("amqp://guest:guest@127.0.0.1:5672/", "127.0.0.1", 5672, "/", "guest", "guest", false),
            ("amqp://rabbit", "rabbit", 5672, "/", "guest", "guest", false),
            ("amqps://rabbit/", "rabbit", 5671, "/", "guest", "guest", true),
            ("AMQPS://u:p@rabbit:6000/prod", "rabbit", 6000, "prod", "u", "p", true),
            ("amqp://rabbit/%2f", "rabbit", 5672, "/", "guest", "guest", false),
            ("amqp://rabbit/%2Fstaging", "rabbit", 5672, "/staging", "guest", "guest", false),
            ("amqp://us%40er:p%3Aw%2Fd@[::1]:5673/v", "::1", 5673, "v", "us@er", "p:w/d", false),
            ("amqp://alice@rabbit/", "rabbit", 5672, "/", "alice", "guest", false),
        ]
    )
    func parsesURL(
        url: String,
        host: String,
        port: Int,
        virtualHost: String,
        username: String,
        password: String,
        useTLS: Bool
    ) throws {
        let broker = try BrokerConfiguration(url: url)
        #expect(broker.host == host)
        #expect(broker.port == port)
        #expect(broker.virtualHost == virtualHost)
        #expect(broker.username == username)
        #expect(broker.password == password)
        #expect(broker.useTLS == useTLS)
    }

    @Test(
        "bad URLs are refused under broker.url without repeating the password",
        arguments: [
            "http://u:s3cret@rabbit/",
            "amqp://u:s3cret@rabbit:notaport/",
            "amqp://u:s3cret@rabbit:0/",
            "amqp://u:s3cret@/",
            "amqp://u:s3cret@rabbit/a/b",
            "amqp://u:s3cret@rabbit/?heartbeat=5",
            "rabbit:5672",
            "amqp://u:s3cret%zz@rabbit/",
        ]
    )
    func rejectsBadURL(url: String) throws {
        let error = try #require(ConfigurationFixture.error("broker:\n  url: \"\(url)\"\n"))
        #expect(error.key == "broker.url")
        #expect(error.problem.hasPrefix("not a valid AMQP URL: "))
        #expect(!error.description.contains("s3cret"))
    }

    @Test("username_env, password_env and password_file replace the URL's credentials")
    func credentialsFromEnvironmentAndFile() throws {
        let fromEnvironment = try ConfigurationFixture.load(
            "broker:\n  url: amqp://u:urlpw@rabbit/\n  username_env: MQ_USER\n  password_env: MQ_PASS\n",
            environment: ["MQ_USER": "svc", "MQ_PASS": "envpw"]
        )
        #expect(fromEnvironment.broker.username == "svc")
        #expect(fromEnvironment.broker.password == "envpw")

        let file = try ConfigurationFixture.temporaryFile("filepw\n", name: "mq-password")
        let fromFile = try ConfigurationFixture.load(environment: [
            "TWEETD_BROKER_URL": "amqp://u:urlpw@rabbit/",
            "TWEETD_BROKER_PASSWORD_FILE": file,
        ])
        #expect(fromFile.broker.username == "u")
        #expect(fromFile.broker.password == "filepw")
    }

    @Test("missing credential sources are errors naming the key")
    func missingCredentials() throws {
        #expect(
            ConfigurationFixture.error("broker:\n  password_env: MQ_PASS\n")
                == ConfigurationError(
                    key: "broker.password_env",
                    problem: "environment variable MQ_PASS is not set or empty"
                )
        )
        #expect(
            ConfigurationFixture.error("broker:\n  password_file: /nonexistent/mq-password\n")
                == ConfigurationError(
                    key: "broker.password_file",
                    problem: "cannot read /nonexistent/mq-password: no such file"
                )
        )
        let empty = try ConfigurationFixture.temporaryFile("\n  \n")
        #expect(
            ConfigurationFixture.error("broker:\n  password_file: \(empty)\n")
                == ConfigurationError(key: "broker.password_file", problem: "\(empty) is empty")
        )
        #expect(
            ConfigurationFixture.error(
                "broker:\n  password_env: MQ_PASS\n  password_file: /x\n",
                environment: ["MQ_PASS": "pw"]
            )
                == ConfigurationError(
                    key: "broker.password_file",
                    problem: "set only one of broker.password_env and broker.password_file"
                )
        )
    }

    @Test("amqps:// with peer verification needs a readable CA file; client certificates come in pairs")
    func tlsChecks() throws {
        #expect(
            ConfigurationFixture.error(environment: ["TWEETD_BROKER_URL": "amqps://rabbit/"])
                == ConfigurationError(
                    key: "broker.tls.ca_file",
                    problem:
                        "required with amqps:// while verify_peer is true"
                        + " (librabbitmq does not load the system CA store)"
                )
        )
        #expect(
            ConfigurationFixture.error(environment: [
                "TWEETD_BROKER_URL": "amqps://rabbit/", "TWEETD_BROKER_TLS_CA_FILE": "/nonexistent/ca.pem",
            ]) == ConfigurationError(key: "broker.tls.ca_file", problem: "cannot read /nonexistent/ca.pem")
        )
        let ca = try ConfigurationFixture.temporaryFile("pem", name: "ca.pem")
        #expect(
            ConfigurationFixture.error(environment: [
                "TWEETD_BROKER_URL": "amqps://rabbit/", "TWEETD_BROKER_TLS_CA_FILE": ca,
                "TWEETD_BROKER_TLS_CERT_FILE": ca,
            ])?.key == "broker.tls.key_file"
        )
        let unverified = try ConfigurationFixture.load(environment: [
            "TWEETD_BROKER_URL": "amqps://rabbit/", "TWEETD_BROKER_TLS_VERIFY_PEER": "false",
        ])
        #expect(unverified.broker.useTLS)
        // TLS settings are ignored for amqp://, so a plain test broker can keep them.
        #expect(throws: Never.self) { try ConfigurationFixture.load("broker:\n  tls:\n    ca_file: /nonexistent\n") }
    }

    @Test("the redacted description, URL, and dump never show the password, however it was given")
    func neverShowsPassword() throws {
        let file = try ConfigurationFixture.temporaryFile("pw-from-file-789\n")
        let configurations = [
            try ConfigurationFixture.load("broker:\n  url: amqp://app:pw-in-url-123@rabbit:5672/prod\n"),
            try ConfigurationFixture.load(environment: ["TWEETD_BROKER_PASSWORD_ENV": "MQ", "MQ": "pw-from-env-456"]),
            try ConfigurationFixture.load(overrides: ["broker.password_file": file]),
        ]
        let secrets = ["pw-in-url-123", "pw-from-env-456", "pw-from-file-789"]
        for (config, secret) in zip(configurations, secrets) {
            #expect(config.broker.password == secret)
            var dumped = ""
            dump(config, to: &dumped)
            for text in [
                config.redactedDescription(), config.description, config.broker.redactedURL, "\(config.broker)", dumped,
            ] {
                #expect(!text.contains(secret))
            }
            #expect(config.redactedDescription().contains(":***@"))
        }
        #expect(configurations[0].broker.redactedURL == "amqp://app:***@rabbit:5672/prod")
        #expect(
            try BrokerConfiguration(url: "amqps://a%40b:x@[::1]/%2Fstaging").redactedURL
                == "amqps://a%40b:***@[::1]:5671/%2Fstaging"
        )
    }

    @Test("the redacted description is YAML that loads back to the same configuration")
    func descriptionRoundTrips() throws {
        let config = try ConfigurationFixture.load(
            """
            topology:
              queues:
                - name: tweets.in
                - name: "10"
                  bindings: ["#", "en.*"]
            processing:
              workers: 3
              chain: [local, builtin]
            metrics:
              instance: "true"
            """
        )
        let description = config.redactedDescription()
        let reloaded = try TweetdConfiguration.load(
            yaml: description,
            environment: ["TWEETD_BROKER_PASSWORD_ENV": "P", "P": config.broker.password]
        )
        var expected = config
        expected.broker.passwordEnv = "P"
        #expect(reloaded == expected)
    }
}
