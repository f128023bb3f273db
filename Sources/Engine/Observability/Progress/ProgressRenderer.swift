import Foundation

/// Drain progress as text: a bar for a terminal, a plain line for logs.
public enum ProgressRenderer {
    /// Cells in the bar.
    static let barWidth = 24

    /// `[██████████░░░░░░░░░░░░░░] 1234/3000 41%  523 msg/s  ETA 3s  ok 95.0%  workers 87%  builtin 1172  dead 62`,
    /// cut to fit `columns` when given, so the line never wraps (a wrapped line cannot be redrawn in place).
    public static func bar(_ state: ProgressState, columns: Int? = nil) -> String {
        let filled = Int((state.fraction * Double(barWidth)).rounded(.down))
        let bar = "[" + String(repeating: "█", count: filled) + String(repeating: "░", count: barWidth - filled) + "]"
        var parts = [
            "\(bar) \(state.done)/\(state.total) \(percent(state.fraction, decimals: 0))",
            "\(rate(state)) msg/s", "ETA \(eta(state))", "ok \(successRate(state))", "workers \(utilisation(state))",
        ]
        parts += state.providers.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value)" }
        parts.append("dead \(state.deadLetters)")
        let line = parts.joined(separator: "  ")
        guard let columns, columns > 1, line.count >= columns else { return line }
        return String(line.prefix(columns - 1))
    }

    /// `progress 1234/3000 (41%) rate 523 msg/s eta 3s ok 95.0% workers 87% dead 62 providers builtin=1172`.
    public static func logLine(_ state: ProgressState) -> String {
        var line = "progress \(state.done)/\(state.total) (\(percent(state.fraction, decimals: 0))) rate \(rate(state)) msg/s "
            + "eta \(eta(state)) ok \(successRate(state)) workers \(utilisation(state)) dead \(state.deadLetters)"
        if !state.providers.isEmpty {
            line += " providers " + state.providers.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: ",")
        }
        return line
    }

    private static func rate(_ state: ProgressState) -> String {
        state.messagesPerSecond >= 100 ? String(format: "%.0f", state.messagesPerSecond) : String(format: "%.1f", state.messagesPerSecond)
    }

    private static func eta(_ state: ProgressState) -> String {
        state.etaSeconds.map(HumanDuration.format(seconds:)) ?? "?"
    }

    private static func successRate(_ state: ProgressState) -> String {
        state.successRate.map { percent($0, decimals: 1) } ?? "-"
    }

    private static func utilisation(_ state: ProgressState) -> String {
        state.utilisation.map { percent($0, decimals: 0) } ?? "-"
    }

    private static func percent(_ fraction: Double, decimals: Int) -> String {
        String(format: "%.\(decimals)f%%", fraction * 100)
    }
}
