extension SentimentLexicon {
    /// Emoji polarity keyed by the emoji's first scalar, so 👍🏽 scores like 👍
    /// and ❤️ like ❤. Laughing faces, 🔥 and ✨ count half: they often
    /// accompany irony or plain emphasis. Emoji are never negated.
    static let emoji: [UInt32: Double] = {
        let positive: [UInt32] = [
            0x1F600, 0x1F603, 0x1F604, 0x1F601, 0x1F606, 0x1F60A, 0x1F642, 0x1F60D, 0x1F970, 0x1F618,  // 😀😃😄😁😆😊🙂😍🥰😘
            0x1F63B, 0x1F638, 0x1F63A, 0x1F607, 0x1F60B, 0x1F60E, 0x1F929, 0x1F973, 0x263A, 0x1F917,  // 😻😸😺😇😋😎🤩🥳☺🤗
            0x2764, 0x1F495, 0x1F496, 0x1F497, 0x1F493, 0x1F49E, 0x1F498, 0x1F49D, 0x1F499, 0x1F49A,  // ❤💕💖💗💓💞💘💝💙💚
            0x1F49B, 0x1F49C, 0x1F9E1, 0x1F90D, 0x1F90E, 0x1FA77, 0x1FA75, 0x2665, 0x1F44D, 0x1F44F,  // 💛💜🧡🤍🤎🩷🩵♥👍👏
            0x1F64C, 0x1F44C, 0x1F4AA, 0x1F389, 0x1F38A, 0x1F942, 0x1F37E, 0x1F4AF, 0x1F3C6, 0x1F947,  // 🙌👌💪🎉🎊🥂🍾💯🏆🥇
            0x1F31F, 0x1FAF6, 0x1F490, 0x1F60C,  // 🌟🫶💐😌
        ]
        let mildlyPositive: [UInt32] = [
            0x1F602, 0x1F923, 0x1F639, 0x2728, 0x1F525, 0x2705, 0x2B50, 0x1F64F, 0x1F91D,  // 😂🤣😹✨🔥✅⭐🙏🤝
        ]
        let negative: [UInt32] = [
            0x1F622, 0x1F62D, 0x1F61E, 0x1F614, 0x1F61F, 0x1F615, 0x1F641, 0x2639, 0x1F620, 0x1F621,  // 😢😭😞😔😟😕🙁☹😠😡
            0x1F92C, 0x1F44E, 0x1F494, 0x1F629, 0x1F62B, 0x1F616, 0x1F623, 0x1F612, 0x1F92E, 0x1F922,  // 🤬👎💔😩😫😖😣😒🤮🤢
            0x1F630, 0x1F628, 0x1F625, 0x1F613, 0x1F63F, 0x1F4A9, 0x1F595, 0x1F63E,  // 😰😨😥😓😿💩🖕😾
        ]
        let mildlyNegative: [UInt32] = [
            0x1F624, 0x1F644, 0x1F631, 0x274C, 0x1F62A, 0x1F926, 0x1F921,  // 😤🙄😱❌😪🤦🤡
        ]
        var table: [UInt32: Double] = [:]
        for value in positive { table[value] = 1 }
        for value in mildlyPositive { table[value] = 0.5 }
        for value in negative { table[value] = -1 }
        for value in mildlyNegative { table[value] = -0.5 }
        return table
    }()

    /// ASCII emoticons, recognised only when they stand alone between spaces.
    static let emoticons: [String: Double] = [
        ":)": 1, ":-)": 1, ":D": 1, ":-D": 1, "=)": 1, ";)": 1, ";-)": 1, "<3": 1, "xD": 0.5, "XD": 0.5,
        ":P": 0.5, ":p": 0.5, ":(": -1, ":-(": -1, ":'(": -1, "D:": -1, "</3": -1, ":/": -0.5, ":-/": -0.5,
    ]
}
