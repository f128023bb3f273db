// ProcessingBench — what the built-in path costs per message, without a broker.
//
//     ProcessingBench FILE [ROUNDS]
//
// Reads JSON-lines tweets from FILE, wraps each as a delivery, and runs the
// daemon's per-message work on one thread: decode and validate, built-in
// analysis, priority score, result encoding. Prints one JSON object with the
// best round's microseconds per message, split into `prepare` (decode,
// validate, analyse, score) and `result` (build and encode the result).
//
// The broker-bound throughput benchmark moves by ±15 % between runs on a
// small machine; this number does not, so it is the yardstick for work on
// the analysis itself (`make bench` runs it as its `processing` section).

import Engine
import Foundation

@main
struct ProcessingBench {
    static func main() throws {
        let arguments = CommandLine.arguments
        guard arguments.count >= 2 else {
            FileHandle.standardError.write(Data("usage: ProcessingBench FILE [ROUNDS]\n".utf8))
            exit(2)
        }
        let rounds = arguments.count > 2 ? max(1, Int(arguments[2]) ?? 5) : 5
        let lines = try String(contentsOfFile: arguments[1], encoding: .utf8).split(separator: "\n")
        let deliveries = lines.enumerated().map { index, line in
            Delivery(
                deliveryTag: UInt64(index + 1), connectionGeneration: 1, queue: "tweets.in", exchange: "tweets",
                routingKey: "tweet", redelivered: false, properties: MessageProperties(), body: Array(line.utf8)
            )
        }
        let processor = OutcomeBuilder(decoder: TweetDecoder(), topology: TopologyConfiguration())
        var bestPrepare = Double.infinity
        var bestResult = Double.infinity
        var resultBytes = 0
        var invalid = 0
        for _ in 0..<rounds {
            var prepareSeconds = 0.0
            var resultSeconds = 0.0
            resultBytes = 0
            invalid = 0
            for delivery in deliveries {
                let now = Date()
                let started = ContinuousClock.now
                let prepared = processor.prepare(delivery, now: now)
                let analysed = ContinuousClock.now
                switch prepared {
                case .prepared(let tweet):
                    let outcome = processor.result(for: tweet, enrichment: nil, now: now, startedAt: started)
                    resultBytes += outcome.message.body.count
                case .invalid(let deadLetter):
                    invalid += 1
                    resultBytes += deadLetter.message.body.count
                }
                prepareSeconds += (analysed - started).seconds
                resultSeconds += (ContinuousClock.now - analysed).seconds
            }
            // The fastest round whole, so the parts add up to its total.
            if prepareSeconds + resultSeconds < bestPrepare + bestResult {
                bestPrepare = prepareSeconds
                bestResult = resultSeconds
            }
        }
        let count = Double(max(1, deliveries.count))
        let report: [String: Any] = [
            "messages": deliveries.count,
            "invalid": invalid,
            "rounds": rounds,
            "prepare_us": (bestPrepare / count * 1e6 * 10).rounded() / 10,
            "result_us": (bestResult / count * 1e6 * 10).rounded() / 10,
            "total_us": ((bestPrepare + bestResult) / count * 1e6 * 10).rounded() / 10,
            "mean_result_bytes": resultBytes / max(1, deliveries.count),
        ]
        let json = try JSONSerialization.data(withJSONObject: report, options: [.sortedKeys])
        print(String(decoding: json, as: UTF8.self))
    }
}

extension Duration {
    fileprivate var seconds: Double {
        let (seconds, attoseconds) = components
        return Double(seconds) + Double(attoseconds) / 1e18
    }
}
