extension String {
    /// Whether every byte is ASCII other than CR. Then every byte is a
    /// `Character` of its own (only CR LF joins two ASCII bytes), so
    /// character positions and comparisons, which follow canonical
    /// equivalence, come down to bytes.
    var isPlainASCII: Bool {
        utf8.allSatisfy { $0 < 0x80 && $0 != 0x0D }
    }
}
