// Sentiment lexicons of Latin-script languages. Words that mean something
// else in a neighbouring language (English `pain` is French bread, `kind` a
// German child, `hell` German bright) are left out, because the English
// lexicon is also consulted for tweets in other languages.
extension SentimentLexicon {
    static let english = SentimentLexicon(
        positive: """
            good great excellent amazing awesome fantastic wonderful brilliant love loved loves loving lovely \
            best better happy happier happiest glad excited exciting enjoy enjoyed enjoying beautiful perfect \
            nice cool fun incredible outstanding superb impressive impressed thanks thank thankful grateful \
            congrats congratulations win wins winning won success successful proud delighted pleased favorite \
            favourite recommend recommended yay wow fabulous terrific stunning gorgeous adorable sweet epic \
            legendary joy joyful cheerful optimistic helpful smooth solid super stoked thrilled blessed \
            hopeful friendly delicious tasty bravo glorious magnificent positive peaceful masterpiece \
            amaz* awesom* fantastic* wonderful* excellen* incredib* brillian* enjoy* celebrat* congrat* \
            appreciat* delight* excit* thrill* beautif* perfect* happi*
            """,
        negative: """
            bad worse worst terrible awful horrible hate hated hates hating sad angry mad upset disappointed \
            poor ugly boring bored annoying annoyed broken fail failed fails failure wrong problem problems \
            sucks suck sucked crap shit damn disgusting pathetic useless waste wasted scam fraud lie lies liar \
            stupid dumb idiot ridiculous nightmare disaster tragic tragedy cry crying cried hurt painful sick \
            tired fear afraid scared scary worried worry unfortunately sorry lose losing loser delayed outage \
            slow rude mess wtf ugh mediocre toxic furious miserable lonely unhappy hopeless horrific dreadful \
            shame shameful cancelled canceled \
            disappoint* frustrat* horribl* terribl* disgust* annoy* depress* ridicul* pathetic* awful*
            """,
        negators: """
            not no never none nobody nothing neither nor without cannot cant dont doesnt didnt isnt wasnt \
            arent werent wont wouldnt shouldnt couldnt aint hardly
            """,
        negatorSuffixes: ["n't"],
        intensifiers: """
            very really so extremely totally absolutely incredibly truly highly too especially completely \
            utterly insanely hella most
            """
    )

    static let spanish = SentimentLexicon(
        positive: """
            bueno buena buenos buenas bien excelente excelentes genial geniales feliz felices gusta gustan \
            gustó gustaron encanta encantan amo amor adoro mejor mejores éxito gracias bravo hermoso hermosa \
            buen* excelent* increíbl* increibl* maravill* fantástic* perfect* felic* alegr* encant* hermos* \
            precios* lind* bonit* agradec* orgullos* divertid* disfrut* impresionant* espectacular* estupend* \
            magnífic* guap* genial*
            """,
        negative: """
            mal malo mala malos malas odio odias odia odian odiar odioso odiosa asco peor peores fatal horror \
            vergüenza miedo dolor mierda basura porquería \
            terribl* horribl* pésim* pesim* trist* asquer* decepci* aburrid* molest* enfad* enoj* lamentabl* \
            desastr* fracas* llor* problema* injust* preocup* furios* cansad*
            """,
        negators: "no nunca jamás jamas tampoco ni sin nada ningún ninguno ninguna nadie",
        intensifiers: "muy tan súper bastante demasiado realmente muchísimo totalmente sumamente"
    )

    static let portuguese = SentimentLexicon(
        positive: """
            bom boa bons boas bem incrível incríveis incrivel feliz felizes felicidade amo amei amor gostei \
            gosto gosta gostamos gostou parabéns parabens legal show top sucesso melhor melhores delícia \
            gratidão grato grata valeu \
            ótim* otim* excelent* maravilh* perfeit* ador* lind* obrigad* fantástic* alegr* divertid* \
            orgulh* sensaciona* espetacular* delicios*
            """,
        negative: """
            ruim ruins horrível horríveis horrivel terrível terríveis terrivel odeio odiei odiar odeia raiva \
            chato chata chatos chatas pior piores merda lixo medo nojo vergonha droga porcaria doente \
            decepção \
            péssim* pessim* trist* decepcion* fracass* problema* nojent* infeliz* irritad* absurd* cansad* \
            preocupad* sofr*
            """,
        negators: "não nao nunca jamais nem sem nada nenhum nenhuma ninguém",
        intensifiers: "muito muita tão tao demais bastante extremamente totalmente realmente mega"
    )

    static let french = SentimentLexicon(
        positive: """
            bon bonne bons bonnes bien super aime aimé aimée aimer aimons aimez aiment ravi ravie ravis bravo \
            merci top sympa beau belle beaux belles joie cool chouette amour fier fière mieux plaisir gagné \
            victoire \
            génial* excellent* magnifique* merveill* parfait* ador* heureu* content* incroyabl* formidabl* \
            réussi* félicit* meilleur* délicieu* splendide* fantastique* extraordinaire*
            """,
        negative: """
            nul nulle nuls nulles pire colère dommage merde naze galère peur mal raté échec marre horreur \
            déception \
            mauvais* horribl* terribl* détest* triste* déçu* décev* affreu* catastroph* énerv* honte* ennuy* \
            insupportabl* dégoût* dégueu* problème* fatigué* chiant* pourri* ridicul* scandal*
            """,
        negators: "ne pas jamais rien aucun aucune sans ni",
        negatorPrefixes: ["n'"],
        intensifiers: "très trop vraiment tellement si hyper vachement extrêmement totalement absolument carrément",
        allowsPostposedNegation: true
    )

    static let german = SentimentLexicon(
        positive: """
            gut gute guter gutes guten gutem super schön schöne schöner schönes schönen schönsten danke \
            dank dankbar klasse spitze prima mag gefällt gefallen spaß stolz yay hurra juhu besser beste \
            besten bester bestes freue freut freuen freude \
            toll* großartig* wunderbar* wunderschön* lieb* glücklich* perfekt* genial* fantastisch* \
            hervorragend* ausgezeichnet* begeister* herrlich* geil* lecker* witzig* erfolg* traumhaft* \
            sympathisch*
            """,
        negative: """
            schade wut angst sauer mist leider nervt versagt unmöglich frech hässlich \
            schlecht* schlimm* furchtbar* schrecklich* hass* traurig* enttäusch* ärger* wütend* katastroph* \
            mies* doof* blöd* langweil* nervig* scheiß* scheiss* ekelhaft* grauenhaft* peinlich* dumm* \
            kaputt* problem* fehler* verspät*
            """,
        negators: "nicht kein keine keinen keinem keiner keines nie niemals nichts ohne weder nix",
        intensifiers: "sehr so total echt wirklich extrem voll richtig ziemlich absolut besonders mega",
        allowsPostposedNegation: true
    )

    static let italian = SentimentLexicon(
        positive: """
            amo adoro amore grazie top super figo figata evviva complimenti piace piaciuto piaciuta \
            piacciono gioia meglio geniale geniali \
            buon* bell* ottim* fantastic* meraviglios* perfett* felic* brav* splendid* stupend* eccezional* \
            content* divertent* incredibil* fortunat* miglior* entusiast* soddisfatt* emozionant* magnific*
            """,
        negative: """
            odio odiare schifo peggio merda male fallimento paura purtroppo rabbia dolore \
            brutt* pessim* terribil* orribil* trist* delus* schifos* peggior* arrabbiat* noios* disastr* \
            vergogn* cattiv* problem* orrend* inaccettabil* ridicol* stanc*
            """,
        negators: "non mai niente nessuno nessuna senza né neanche nemmeno neppure nulla",
        intensifiers: "molto tanto davvero troppo proprio veramente estremamente assolutamente particolarmente"
    )

    static let polish = SentimentLexicon(
        positive: """
            super kocham kochamy kocha uwielbiam brawo ekstra polecam polecamy radość radości podoba wow \
            dobr* świetn* wspaniał* fajn* uwielbia* szczęśliw* szczęści* zadowol* piękn* doskonał* genialn* \
            rewelac* najlepsz* lepsz* dzięk* cudown* udan* ciesz* gratul* podobał* ładn* sukces* mistrz* \
            przyjemn* pyszn* zachwyc* niesamowit* fantastyczn* idealn*
            """,
        negative: """
            zły zła złe źle złego złych szkoda żenada niestety \
            okropn* straszn* beznadziejn* nienawidz* nienawiś* smutn* rozczarow* fataln* najgorsz* gorsz* \
            słab* kiepsk* tragiczn* tragedi* żenując* wkurz* denerw* porażk* masakr* niedobr* problem* \
            skandal* wstyd* głupi* płacz* awari* koszmar* obrzydliw*
            """,
        negators: "nie nigdy bez ani żaden żadna żadne żadnego nic niczego",
        intensifiers: "bardzo naprawdę mega totalnie niezwykle ogromnie wyjątkowo absolutnie szalenie"
    )

    static let dutch = SentimentLexicon(
        positive: """
            goed goede mooi mooie leuk leuke fijn fijne blij top super bedankt dank dankjewel gaaf tof \
            perfect genieten genoten trots knap \
            geweldig* prachtig* fantastisch* heerlijk* lekker*
            """,
        negative: """
            jammer boos haat haten kut klote balen helaas \
            slecht* vreselijk* verschrikkelijk* saai* teleurgesteld* teleurstell* verdrietig* waardeloos* \
            triest* irritant*
            """,
        negators: "niet geen nooit niets zonder nergens",
        intensifiers: "heel erg zo echt ontzettend enorm zeer",
        allowsPostposedNegation: true
    )

    static let swedish = SentimentLexicon(
        positive: """
            bra älskar älska glad glada tack kul fin fint fina bättre toppen kanon gillar gilla \
            underbar* fantastisk* härlig* perfekt* grym* snygg* bäst* lycklig* vacker* mysig*
            """,
        negative: """
            ledsen ledsna hatar hata arg arga besviken besvikna sämre tyvärr \
            dålig* hemsk* tråkig* fruktansvärd* sämst* värdelös* jobbig* usel* förbannad* irriterad*
            """,
        negators: "inte ej aldrig ingen inget inga utan",
        intensifiers: "mycket väldigt så riktigt verkligen otroligt",
        allowsPostposedNegation: true
    )
}
