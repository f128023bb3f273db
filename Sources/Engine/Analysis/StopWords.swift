/// Function words per language: evidence for language detection, and words
/// that never make a topic.
///
/// Lists are lowercase and written as one space-separated literal per
/// language so they read like a dictionary and are split once, on first use
/// (`static let` initialisation is lazy and thread-safe).
enum StopWords {
    /// The stop words of an ISO 639-1 language, empty when there is no list.
    static func words(for language: String) -> Set<String> {
        switch language {
        case "en": english
        case "es": spanish
        case "pt": portuguese
        case "fr": french
        case "de": german
        case "it": italian
        case "pl": polish
        case "nl": dutch
        case "sv": swedish
        case "ru": russian
        case "uk": ukrainian
        case "ar": arabic
        case "ko": korean
        case "hi": hindi
        case "el": greek
        case "he": hebrew
        case "ja": japanese
        case "zh": chinese
        default: []
        }
    }

    static func list(_ words: String) -> Set<String> {
        Set(words.split(whereSeparator: { $0 == " " || $0 == "\n" }).map(String.init))
    }

    // Besides grammar words, English holds the filler of social media
    // (`rt`, `amp` from `&amp;`, `lol`) so it never becomes a topic.
    static let english = list("""
        a about above after again against all also am an and any are aren't as at be because been before \
        being below between both but by can can't cannot could couldn't did didn't do does doesn't doing \
        don't down during each few for from further had hadn't has hasn't have haven't having he he'd he'll \
        he's her here here's hers herself him himself his how how's i i'd i'll i'm i've if in into is isn't \
        it it's its itself let's me more most mustn't my myself no nor not of off on once only or other \
        ought our ours ourselves out over own same shan't she she'd she'll she's should shouldn't so some \
        such than that that's the their theirs them themselves then there there's these they they'd \
        they'll they're they've this those through to too under until up very was wasn't we we'd we'll \
        we're we've were weren't what what's when when's where where's which while who who's whom why \
        why's with won't would wouldn't you you'd you'll you're you've your yours yourself yourselves \
        will just get got now one ever never always still already yet much many lot lots every thing \
        things something anything everything nothing someone everyone going go know think make want need \
        see come take say said back well even really today tonight tomorrow yesterday here's gonna wanna \
        gotta im dont cant wont didnt doesnt isnt ive youre thats u ur yes yeah okay oh hey rt amp via \
        lol lmao omg haha hahaha pls please thx
        """)

    static let spanish = list("""
        de la que el en y a los del se las por un para con no una su al lo como más mas pero sus le ya o \
        este sí porque esta entre cuando muy sin sobre también me hasta hay donde quien desde todo nos \
        durante todos uno les ni contra otros ese eso ante ellos e esto mí antes algunos qué unos yo otro \
        otras otra él tanto esa estos mucho quienes nada muchos cual poco ella estar estas algunas algo \
        nosotros mi mis tú te ti tu tus ellas vosotros os mío mía tuyo suyo nuestro nuestra esos esas \
        estoy estás está estamos están es son soy eres somos ser fue fueron era ha he han hemos has hoy \
        ahora así aquí hace tan cómo dónde cuándo hola q pq porqué tengo tiene tienen hacer va voy vamos \
        sea cada después luego pues entonces siempre
        """)

    static let portuguese = list("""
        de a o que e do da em um para é com não uma os no se na por mais as dos como mas foi ao ele das \
        tem à seu sua ou ser quando muito há nos já está eu também só pelo pela até isso ela entre era \
        depois sem mesmo aos ter seus quem nas me esse eles estão você vc tinha foram essa num nem suas \
        meu às minha têm numa pelos elas havia seja qual será nós tenho lhe deles essas esses pelas este \
        fosse dele tu te vocês vos lhes meus minhas teu tua nosso nossa dela delas esta estes estas \
        aquele aquela isso isto aquilo estou estamos hoje agora aqui sim né pra pro tá então ainda tudo \
        vai vou fazer sou são porque onde cada sempre tô
        """)

    static let french = list("""
        a le la les de des du un une et est en que qui dans pour pas sur au aux avec ce ces il elle ils \
        elles je tu nous vous on ne se sa son ses mon ma mes ton ta tes notre nos votre vos leur leurs \
        mais ou donc car ni plus par être été avoir ai as avons avez ont suis es sommes êtes sont était \
        c'est n'est j'ai qu'il d'un d'une l'on s'il c'était cette cet ça comme tout tous toute toutes \
        très y là ici aujourd'hui quand si même aussi moi toi lui eux encore déjà fait faire va vais peu \
        trop sous chez vers quoi où dont alors après avant oui non voilà ceci cela celui celle
        """)

    static let german = list("""
        der die das und in zu den von ist nicht mit dem sich des ein eine einer eines einem einen auf \
        für als auch es an werden aus er hat dass daß sie nach wird bei um noch wie über so zum zur kann \
        nur war sind ich du wir ihr mich mir dich dir uns euch ihn ihm ihnen sein seine ihre mein meine \
        dein deine unser aber oder wenn weil doch schon jetzt heute hier da dann was wer wo warum man mal \
        ja nein sehr haben habe hast bin bist seid waren wurde wurden im am vom beim ins ob bis durch \
        gegen ohne unter zwischen diese dieser dieses diesem diesen alle alles viel mehr etwas nichts \
        immer wieder gibt geht gerade einfach eigentlich endlich also denn wirklich heute morgen gestern
        """)

    static let italian = list("""
        il lo la i gli le di a da in con su per tra fra un uno una e è ed che chi non ma o se come anche \
        più del della dei delle degli dello al alla ai alle agli allo dal dalla dai dalle nel nella nei \
        nelle sul sulla sui questo questa questi queste quello quella quelli quelle io tu lui lei noi voi \
        loro mi ti ci si vi ne mio mia miei mie tuo tua suo sua nostro nostra sono sei siamo siete era \
        ho hai ha abbiamo hanno essere avere fare fatto stato stata molto tutto tutti oggi ora adesso qui \
        qua già ancora sempre poi dopo quando perché cosa dove così solo c'è nuovo nuova nuovi nuove
        """)

    static let polish = list("""
        i w z na do nie się to że jest o a jak po co od za ale tak dla jej jego ich mi mnie ci cię go mu \
        je ją ten ta te tego tej tym tych który która które którzy już jeszcze tylko też także bardzo \
        być był była było były są jestem jesteś jesteśmy będzie może można przez przy pod nad przed bez \
        ze we u czy bo gdy kiedy gdzie dlaczego więc oraz lub albo ja ty on ona ono my wy oni one mój \
        moja moje twój nasz wasz swój sobie siebie tu tutaj tam teraz dziś dzisiaj jutro wczoraj coś nic \
        wszystko wszyscy mam masz ma mamy macie mają no jak żeby aby tego temu
        """)

    static let dutch = list("""
        de het een en van ik te dat die in is niet op aan met als voor er maar om zijn ze zij je jij \
        hij wij we u mijn jouw haar ons onze hun dit deze wat wie waar hoe waarom ook nog al naar bij \
        uit door over tot dan of want dus heb hebt heeft hebben was waren ben bent wordt worden werd kan \
        kunnen moet moeten wil zal zou geen niets iets alles veel meer heel erg zo hier daar nu vandaag \
        toch even wel echt gewoon mij me jullie hem
        """)

    static let swedish = list("""
        och i att det som en på är av för med till den har de inte om ett han men var jag sig från vi \
        så kan man när år säger hon under också efter eller nu sin där vid mot ska skulle kommer ut får \
        finns vara hade alla andra mycket än här då sedan över bara in blir upp även vad få två vill ha \
        många hur mer går dig mig du ni dem oss min din vår er sina hans hennes deras detta denna dessa \
        idag
        """)

    static let russian = list("""
        и в во не что он на я с со как а то все она так его но да ты к у же вы за бы по только ее её мне \
        было вот от меня еще ещё нет о из ему теперь когда даже ну вдруг ли если уже или ни быть был \
        него до вас нибудь опять уж вам ведь там потом себя ничего ей может они тут где есть надо ней \
        для мы тебя их чем была сам чтоб без будто чего раз тоже себе под будет ж тогда кто этот того \
        потому этого какой совсем ним здесь этом один почти мой тем чтобы нее сейчас были куда зачем \
        всех никогда можно при наконец два об другой хоть после над больше тот через эти нас про всего \
        них какая много разве три эту моя впрочем свою этой перед иногда чуть том нельзя такой им более \
        всегда конечно всю между это очень сегодня просто
        """)

    static let ukrainian = list("""
        і й та в у на не що з із зі до за по від для як це цей ця ці той ті я ти він вона воно ми ви \
        вони мене тебе його її їх нас вас мій моя моє мої твій наш ваш свій але або чи бо якщо коли де \
        тут там вже ще також теж дуже можна треба був була було були є буде сьогодні зараз ні так щоб \
        який яка яке які про після через між без над під при тільки лише все всі усі нього неї ним нею \
        собі себе мені тобі йому їй нам вам їм хто чому
        """)

    static let arabic = list("""
        في من على إلى الى عن مع هذا هذه ذلك تلك التي الذي الذين هو هي هم أنا انا نحن أنت انت كان كانت \
        يكون ما ماذا لا لم لن قد ثم أو او و كل بعد قبل عند حتى إن ان أن لكن بين كما أي اي هناك هنا \
        اليوم يا الله فيه به له لها لي منه عليه إذا اذا لقد كنت ليس جدا
        """)

    static let korean = list("""
        그리고 그런데 하지만 그래서 그냥 정말 진짜 너무 오늘 이 그 저 것 수 등 더 좀 잘 또 다 안 못 있다 \
        없다 하는 했다 합니다 있는 있어요 나는 저는 우리 제가 내가 이거 그거 지금 아주 많이 같은 때문에 위해
        """)

    static let hindi = list("""
        के का की है हैं में और को से पर यह वह एक तो भी हो था थी थे कि जो कर नहीं ही या लिए इस उस आज \
        बहुत हम मैं आप तुम वे ये क्या कुछ अब साथ रहा रही रहे गया गई किया करना होता होती सकता
        """)

    static let greek = list("""
        και το η ο οι τα του της των τον την σε στο στη στην στον στα για με από που είναι να θα δεν μη \
        μην ένα μια ότι αλλά ή ως πολύ εγώ εσύ αυτό αυτή αυτός σήμερα
        """)

    static let hebrew = list("""
        של את על עם זה זו הוא היא הם אני אתה לא כן גם כל מה אבל או יש אין היום רק עוד כי אם אז שלי הזה כמו
        """)

    /// Kanji compounds too common to be topics (kana runs are never topics).
    static let japanese = list("""
        今日 明日 昨日 自分 今年 本当 時間 一番 今回 私達 皆様 皆さん 最近 今度 何回 一緒
        """)

    /// Chinese bigrams too common to be topics.
    static let chinese = list("""
        我们 你们 他们 她们 这个 那个 什么 没有 一个 就是 不是 可以 自己 今天 因为 所以 但是 如果 还是 已经 \
        这样 怎么 现在 真的 非常 时候 知道 觉得 大家 我們 你們 他們 這個 那個 甚麼 什麼 沒有 因為 還是 \
        已經 這樣 怎麼 現在 時候 覺得 一下 一些
        """)

    /// Chinese function characters: a bigram containing one is not a topic.
    static let chineseFunctionCharacters: Set<Character> = [
        "的", "了", "是", "在", "我", "你", "他", "她", "它", "们", "們", "这", "這", "那", "就", "都", "也",
        "和", "与", "與", "很", "不", "有", "个", "個", "吗", "嗎", "呢", "吧", "啊", "么", "麼", "把", "被",
        "给", "給", "对", "對", "会", "會", "要", "说", "說", "着", "著", "还", "還", "又", "才", "太",
    ]
}
