// Small lexicons for languages outside the Latin script. Japanese, Chinese
// and Korean entries are matched inside longer tokens (no spaces, or glued
// particles), with negation read from the characters around the match.
extension SentimentLexicon {
    static let russian = SentimentLexicon(
        positive: """
            люблю супер круто рад рада рады спасибо молодец молодцы ура класс доволен \
            хорош* отличн* прекрасн* замечательн* любим* обожа* нрав* классн* счастл* счасть* благодар* \
            лучш* восторг* восхитительн* красив* интересн* весел* довольн* потрясающ* чудесн* великолепн* \
            успех* успешн*
            """,
        negative: """
            ужас хуже бесит бесят отстой злой злая злюсь жаль больно беда \
            плох* ужасн* отвратительн* ненави* груст* печальн* разочаров* худш* кошмар* провал* обидн* \
            скучн* страшн* тоскл* проблем* дерьм* позор* мерзк* отвратн*
            """,
        negators: "не нет ни никогда без ничуть нисколько",
        intensifiers: "очень так такой слишком совсем реально невероятно"
    )

    static let arabic = SentimentLexicon(
        positive: """
            جميل جميلة رائع رائعة ممتاز ممتازة سعيد سعيدة سعادة حب أحب احب أحبك احبك شكرا شكراً شكرًا جيد \
            جيدة مبروك أفضل افضل عظيم عظيمة فرح فرحة مذهل مذهلة أجمل اجمل الحمدلله حلو حلوة تحفة نجاح \
            ممتع ممتعة مبدع
            """,
        negative: """
            سيء سيئ سيئة حزين حزينة حزن كره أكره اكره غاضب غاضبة فاشل فاشلة مشكلة خطأ للأسف للاسف مؤسف \
            زفت سخيف سخيفة مزعج مزعجة قبيح قبيحة ظلم مقرف كارثة تعبان تعبانة ضعيف خايف خوف ألم وجع أسوأ اسوأ
            """,
        negators: "لا ليس ليست لم لن ما مش مو غير بدون",
        clitics: ["وال", "بال", "فال", "كال", "لل", "ال", "و", "ف", "ب", "ل"]
    )

    static let japanese = SentimentLexicon(
        positive: """
            好き 大好き 最高 嬉し うれし 楽し たのし 素晴らし すばらし 素敵 すてき ありがと 感謝 幸せ しあわせ \
            美味し おいし 可愛 かわい 綺麗 きれい 面白 おもしろ 感動 良い 良く 良かった よかった いい 最強 優勝 \
            おめでと 応援
            """,
        negative: """
            嫌い 嫌 最悪 悲し かなし 残念 辛い つらい 酷い ひどい ムカつく むかつく 怖い こわい 不安 疲れ \
            つまらな 寂し さみし 痛い 腹立 うざ ダメ だめ 最低 悔し くやし 怒 イライラ
            """,
        matchesInsideWords: true,
        inlineNegationAfter: ["ない", "なかっ", "なく", "ません", "じゃな"],
        inlineNegationAfterWindow: 4
    )

    static let chinese = SentimentLexicon(
        positive: """
            喜欢 喜歡 爱 愛 开心 開心 高兴 高興 快乐 快樂 幸福 棒 好棒 太好了 优秀 優秀 精彩 感谢 感謝 谢谢 謝謝 \
            漂亮 美丽 美麗 厉害 厲害 满意 滿意 支持 好吃 好看 不错 不錯 赞 讚 完美 期待 加油
            """,
        negative: """
            讨厌 討厭 难过 難過 伤心 傷心 失望 糟糕 生气 生氣 垃圾 差劲 差勁 愤怒 憤怒 痛苦 可怕 恶心 噁心 烦 煩 \
            无聊 無聊 后悔 後悔 不好 难受 難受 悲伤 悲傷 担心 擔心 害怕 最差
            """,
        matchesInsideWords: true,
        inlineNegationBefore: ["不", "没", "沒", "别", "別", "无", "無", "未"],
        inlineNegationBeforeWindow: 2
    )

    static let korean = SentimentLexicon(
        positive: """
            좋 최고 사랑 행복 감사 고마 고맙 기쁘 기뻐 멋지 멋있 멋져 재밌 재미있 맛있 대박 축하 훌륭 예쁘 예뻐 \
            귀엽 귀여 신나 설레
            """,
        negative: """
            싫 최악 슬프 슬퍼 슬픈 화나 화가 짜증 나쁘 나빠 나쁜 실망 힘들 힘드 우울 무섭 무서 별로 불안 아프 아파 \
            후회 지루 재미없 맛없 답답 속상
            """,
        negators: "안 못 않아 않아요 않다 않는다 않았다 않았어 않았어요 않습니다 아니 아니야 아니다 아니에요 아닌",
        negatorPrefixes: ["않"],
        allowsPostposedNegation: true,
        matchesInsideWords: true,
        inlineNegationBefore: ["안", "못"],
        inlineNegationBeforeWindow: 1,
        inlineNegationAfter: ["않"],
        inlineNegationAfterWindow: 3
    )
}
