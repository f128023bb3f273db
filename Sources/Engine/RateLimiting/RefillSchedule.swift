/// At most ``count`` tokens published in any stretch of ``length`` (both ends included).
public struct RefillWindow: Sendable, Equatable {
    /// Tokens allowed in the stretch.
    public var count: Int
    /// The stretch.
    public var length: Duration

    /// Creates a window.
    public init(count: Int, length: Duration) {
        self.count = max(count, 1)
        self.length = max(length, .zero)
    }
}

/// When the elected refiller of a shared budget publishes its next token.
///
/// Slots are ``interval`` apart. A token is published in its slot, or at
/// most ``tolerance`` after it; a refiller that wakes later (it was paused,
/// starved of CPU, or stopped with SIGSTOP) publishes one token now and
/// starts a new grid from there: it never catches up on slots it missed,
/// so no stretch of time sees more tokens than its slots. A refiller that
/// just became the refiller starts with no credit: its first token comes one
/// interval after ``start(at:)``.
///
/// On top of the grid, every token is checked against ``windows``, counting
/// the tokens this refiller published: the grid alone keeps within them, but
/// after a lower limit (a reload) the tokens published at the old rate still
/// count, and the next token waits until they allow it. Pure: the caller
/// passes the time in.
public struct RefillSchedule<Instant: InstantProtocol>: Sendable where Instant.Duration == Duration {
    /// The time between two slots.
    public private(set) var interval: Duration
    /// How late a token may still go out for its slot.
    public let tolerance: Duration
    /// The limits checked against the tokens already published.
    public private(set) var windows: [RefillWindow]
    /// The next slot, or nil while this instance is not refilling.
    public private(set) var nextSlot: Instant?
    /// No token before this instant (a cooldown).
    public private(set) var pausedUntil: Instant?
    /// Tokens published since the schedule was made.
    public private(set) var tokensPublished = 0
    /// Times a wake came too late for its slot and the grid started again from then.
    public private(set) var lateRestarts = 0
    /// When this refiller published its latest tokens, as many as the largest window counts.
    private var published: GrantLog<Instant>

    /// A schedule that is not refilling yet.
    public init(interval: Duration, tolerance: Duration, windows: [RefillWindow] = []) {
        self.interval = max(interval, .nanoseconds(1))
        self.tolerance = max(tolerance, .zero)
        self.windows = windows
        self.published = GrantLog(capacity: windows.map(\.count).max() ?? 1)
    }

    /// New limits (a reload): the next slot keeps its place, and the windows count the tokens published so far.
    public mutating func update(interval: Duration, windows: [RefillWindow]) {
        self.interval = max(interval, .nanoseconds(1))
        self.windows = windows
        published.resize(to: windows.map(\.count).max() ?? 1)
    }

    /// This instance became the refiller at `now`.
    public mutating func start(at now: Instant) {
        nextSlot = now.advanced(by: interval)
    }

    /// This instance is no longer the refiller.
    public mutating func stop() {
        nextSlot = nil
    }

    /// Whether this instance is refilling.
    public var isRefilling: Bool { nextSlot != nil }

    /// No tokens before `instant`; merged with a pause already set by the later deadline.
    public mutating func pause(until instant: Instant) {
        if let current = pausedUntil, current >= instant { return }
        pausedUntil = instant
    }

    /// Whether a token goes out at `now`; moves the schedule on when it does.
    public mutating func tokenDue(at now: Instant) -> Bool {
        guard let slot = nextSlot else { return false }
        if let pausedUntil {
            if now < pausedUntil { return false }
            self.pausedUntil = nil
            // The pause used up the slots it covered; the grid resumes where the pause ends.
            if slot < pausedUntil {
                nextSlot = pausedUntil
                return tokenDue(at: now)
            }
        }
        guard now >= slot else { return false }
        if let allowed = windowsAllow(at: now), allowed > now {
            // Tokens of a higher rate still count: the grid resumes when they let it.
            nextSlot = allowed
            return false
        }
        if now <= slot.advanced(by: tolerance) {
            nextSlot = slot.advanced(by: interval)
        } else {
            // Too late for this slot: one token now and a new grid from here, never the missed ones.
            nextSlot = now.advanced(by: interval)
            lateRestarts += 1
        }
        published.append(now)
        tokensPublished += 1
        return true
    }

    /// The earliest instant a token fits every window, counting those published; nil when none binds.
    private func windowsAllow(at now: Instant) -> Instant? {
        var earliest: Instant?
        for window in windows where published.count >= window.count {
            // The count-th latest token must have left the stretch: a new one at `now` would be one too many.
            let bound = published[published.count - window.count]
            let free = bound.advanced(by: window.length + .nanoseconds(1))
            if free > now {
                earliest = max(earliest ?? free, free)
            }
        }
        return earliest
    }

    /// When ``tokenDue(at:)`` next needs asking, or nil while not refilling.
    public var nextWake: Instant? {
        guard let slot = nextSlot else { return nil }
        if let pausedUntil, pausedUntil > slot { return pausedUntil }
        return slot
    }
}
