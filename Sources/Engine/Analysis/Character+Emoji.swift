extension Character {
    /// Whether this grapheme cluster is displayed as one emoji.
    ///
    /// A grapheme cluster is already the unit people see, so a skin-toned
    /// thumb (👍🏽), a ZWJ family (👨‍👩‍👧), a flag (two regional indicators) or a
    /// keycap (1️⃣) is one `Character` and counts once. The rules:
    /// - a text presentation selector (U+FE0E) makes it text;
    /// - a base with default emoji presentation is an emoji (😀, 🇵🇱, 🏴 tag flags);
    /// - an emoji-capable base followed by U+FE0F, a keycap, a ZWJ or a skin
    ///   tone modifier is an emoji (❤️, 1️⃣, ❤️‍🔥);
    /// - text-default pictographs from U+2600 up (☀ ☺ ❤ ✔ ✈) count even
    ///   without U+FE0F, because on social media they are read as emoji;
    ///   lower symbols (© ® ™ ‼ ↔ ▶) and bare digits, `#` and `*` do not.
    /// - Parameter first: the first scalar of the cluster, passed in because
    ///   the caller has already looked at it.
    func isEmojiGrapheme(first: Unicode.Scalar) -> Bool {
        let properties = first.properties
        guard properties.isEmoji else { return false }
        var emojiSequence = false
        for scalar in unicodeScalars.dropFirst() {
            switch scalar.value {
            case 0xFE0E:
                return false
            case 0xFE0F, 0x20E3, 0x200D, 0x1F3FB...0x1F3FF, 0xE0020...0xE007F:
                emojiSequence = true
            default:
                break
            }
        }
        if emojiSequence || properties.isEmojiPresentation { return true }
        return first.value >= 0x2600
    }
}
