@testable import Engine
import Testing

/// The pipeline's lifecycle as a state machine: states in, actions out.
@Suite("Pipeline lifecycle state machine")
struct PipelineStateMachineTests {
    private func connections(prefetch: Int = 10) -> TweetPipeline.Connections {
        let broker = InMemoryBroker()
        let source = broker.makeSource(
            consuming: ["q"], prefetch: prefetch, bodyReadLimit: nil, handler: DeliveryHandler(deliver: { _ in true }, connectionLost: { _ in })
        )
        return TweetPipeline.Connections(source: source, sink: broker.makeSink())
    }

    @Test("Starting, then running once connected; readiness says which")
    func connectingThenRunning() {
        var machine = TweetPipeline.StateMachine(prefetch: 10)
        #expect(machine.readiness.reason == "connecting to the broker")
        guard case .consume(.none) = machine.connected(connections(prefetch: 10)) else {
            Issue.record("the prefetch is unchanged: nothing to apply")
            return
        }
        #expect(machine.workersFinished() != nil, "running: the connections are the run's to close")
    }

    @Test("A reload's prefetch before the connection opened is applied once it has")
    func prefetchChangedWhileConnecting() {
        var machine = TweetPipeline.StateMachine(prefetch: 10)
        guard case .none = machine.prefetchChanged(to: 30) else {
            Issue.record("no consumer to tell yet")
            return
        }
        guard case .consume(.apply(_, let prefetch)) = machine.connected(connections(prefetch: 10)) else {
            Issue.record("the new prefetch must be applied on connecting")
            return
        }
        #expect(prefetch == 30)
        guard case .apply(_, 40) = machine.prefetchChanged(to: 40) else {
            Issue.record("a running consumer gets a new prefetch at once")
            return
        }
        guard case .none = machine.prefetchChanged(to: 40) else {
            Issue.record("the same prefetch twice is applied once")
            return
        }
    }

    @Test("Stopping acts once; the connections close after the workers; then stopped")
    func stopActsOnce() {
        var machine = TweetPipeline.StateMachine(prefetch: 10)
        _ = machine.connected(connections())
        guard case .stopConsuming = machine.stopTakingWork() else {
            Issue.record("the first stop cancels the consumers")
            return
        }
        guard case .none = machine.stopTakingWork() else {
            Issue.record("a second stop (a signal during a drain's stop) does nothing")
            return
        }
        #expect(machine.readiness.reason == "shutting down")
        guard case .none = machine.prefetchChanged(to: 50) else {
            Issue.record("no new prefetch while stopping")
            return
        }
        #expect(machine.workersFinished() != nil, "the connections to close")
        #expect(machine.workersFinished() == nil, "closed once")
        machine.stopped()
        #expect(machine.isStopped)
        #expect(machine.readiness.reason == "stopped")
    }

    @Test("A stop while connecting: once connected, the consumers are cancelled and the connections are closed after the workers")
    func stopWhileConnecting() {
        var machine = TweetPipeline.StateMachine(prefetch: 10)
        guard case .finishWithoutConsumer = machine.stopTakingWork() else {
            Issue.record("no consumer to cancel yet")
            return
        }
        guard case .stopConsuming = machine.connected(connections()) else {
            Issue.record("connections opened after the stop must stop consuming at once")
            return
        }
        #expect(machine.readiness.reason == "shutting down")
        #expect(machine.workersFinished() != nil, "and the connections are closed")
    }
}
