extension TweetPipeline {
    /// The broker connections the pipeline works with while it runs.
    struct Connections: Sendable {
        /// Where deliveries come from and are settled.
        var source: any DeliverySource
        /// Where results, retries and dead letters go.
        var sink: any MessageSink
    }

    /// The pipeline's life, in one place: which connections are open, whether it still takes
    /// work, which prefetch the consumers should have, and what readiness says. States in,
    /// actions out; the caller holds the lock and carries out the action after releasing it.
    struct StateMachine {
        enum State {
            /// ``TweetPipeline/run()`` has not opened both connections yet.
            case starting
            /// Consuming: workers take deliveries.
            case running(Connections)
            /// No longer taking work (graceful shutdown or drained): in-flight messages finish.
            /// Without connections when the run ended before they opened.
            case stopping(Connections?)
            /// ``TweetPipeline/run()`` returned.
            case stopped
        }

        private(set) var state: State = .starting
        /// The prefetch the consumers should have: the configured one, or the last reload's.
        private(set) var prefetch: Int

        init(prefetch: Int) {
            self.prefetch = prefetch
        }

        /// What to do with a new prefetch.
        enum PrefetchAction {
            /// Register the consumers again with it.
            case apply(any DeliverySource, Int)
            /// Nothing: unchanged, or no consumer yet (it starts with the new value), or stopping.
            case none
        }

        /// What to do once both connections are open.
        enum ConnectedAction {
            /// Consume; register the consumers again first if a reload changed the prefetch meanwhile.
            case consume(PrefetchAction)
            /// The pipeline stopped taking work while connecting: cancel the consumers at once;
            /// the connections close when the (workerless) run ends.
            case stopConsuming(any DeliverySource)
        }

        /// Both connections opened.
        mutating func connected(_ connections: Connections) -> ConnectedAction {
            switch state {
            case .starting:
                state = .running(connections)
                // A reload while the broker was still out of reach found no consumer to tell.
                return .consume(connections.source.prefetch == prefetch ? .none : .apply(connections.source, prefetch))
            case .stopping(.none):
                state = .stopping(connections)
                return .stopConsuming(connections.source)
            case .running, .stopping(.some), .stopped:
                preconditionFailure("connected twice")
            }
        }

        /// A reload changed the prefetch.
        mutating func prefetchChanged(to newPrefetch: Int) -> PrefetchAction {
            guard newPrefetch != prefetch else { return .none }
            prefetch = newPrefetch
            if case .running(let connections) = state {
                return .apply(connections.source, newPrefetch)
            }
            return .none
        }

        /// What to do to stop taking work.
        enum StopAction {
            /// Cancel the consumers and give back what no worker started.
            case stopConsuming(any DeliverySource)
            /// Give back what no worker started (there is no consumer yet).
            case finishWithoutConsumer
            /// Nothing: already stopping.
            case none
        }

        /// Graceful shutdown, or drain mode found nothing left: take no more work. Asked once or twice
        /// (a shutdown signal during a drain's stop), it acts once.
        mutating func stopTakingWork() -> StopAction {
            switch state {
            case .starting:
                // ``connected(_:)`` then cancels the consumers, and the run closes the connections.
                state = .stopping(nil)
                return .finishWithoutConsumer
            case .running(let connections):
                state = .stopping(connections)
                return .stopConsuming(connections.source)
            case .stopping, .stopped:
                return .none
            }
        }

        /// Every worker is done: the connections to close (after their last acks), if any.
        mutating func workersFinished() -> Connections? {
            switch state {
            case .running(let connections), .stopping(.some(let connections)):
                state = .stopping(nil)
                return connections
            case .starting, .stopping(.none), .stopped:
                return nil
            }
        }

        /// ``TweetPipeline/run()`` returned.
        mutating func stopped() {
            state = .stopped
        }

        /// Whether the pipeline takes work now, and if not, why, in one line.
        var readiness: (ready: Bool, reason: String) {
            switch state {
            case .starting:
                return (false, "connecting to the broker")
            case .stopping:
                return (false, "shutting down")
            case .stopped:
                return (false, "stopped")
            case .running(let connections):
                if !connections.source.isConsuming {
                    return (false, "consumer connection to the broker lost; reconnecting")
                }
                if !connections.sink.isConnected {
                    return (false, "publisher connection to the broker lost; reconnecting")
                }
                if let failure = connections.sink.publishingFailure {
                    return (false, "publishing fails: \(failure)")
                }
                return (true, "consuming")
            }
        }

        var isStopped: Bool {
            if case .stopped = state { return true }
            return false
        }
    }
}
