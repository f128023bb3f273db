#!/usr/bin/env python3
"""Generate the bundled sample tweets: samples/tweets.jsonl and samples/tweets.csv.

Deterministic: a fixed seed and a fixed reference date, standard library only,
so running it again gives the same bytes (check with `git diff samples/`).

    python3 scripts/make_samples.py            # writes samples/ next to scripts/
    python3 scripts/make_samples.py --out DIR  # writes DIR/tweets.jsonl, DIR/tweets.csv

tweets.jsonl: one JSON object per line, ~300 tweets in 12 languages (en, pl, de,
es, fr, pt, it, ja, zh, ko, ar, ru) about tech, sports, food, weather, products,
travel, with positive, negative and neutral sentiment, hashtags (Unicode ones
too), mentions, URLs, emoji (skin tones, ZWJ sequences, flags, keycaps), media,
replies and varied engagement, created over the 30 days before 2026-11-01Z.
About 5% of the lines are invalid on purpose (each still a single line, so it
can be published): see INVALID below. Every other line follows the input
contract: required `id` (non-empty string of at most 64 characters, or a
non-negative integer) and `text` (string); optional `author {id, username,
followers, verified}`, `created_at` (RFC 3339), `lang`, `metrics {likes,
retweets, replies, quotes}`, `media [{type, url}]`, `in_reply_to`.

tweets.csv: 20 tweets with the header
id,text,lang,author_username,author_followers,likes,retweets,created_at
(RFC 4180 quoting, "\\n" line ends; texts with commas, quotes and one
multi-line field).
"""

import argparse
import csv
import datetime as dt
import io
import json
import math
import os
import random
import string
import sys

SEED = 20261101
REFERENCE = dt.datetime(2026, 11, 1, 0, 0, 0, tzinfo=dt.timezone.utc)
WINDOW = dt.timedelta(days=30)
N_VALID = 285          # + len(INVALID) = 300 lines
TWITTER_EPOCH_MS = 1288834974657

# ---------------------------------------------------------------------------
# Sentences: (topic, sentiment, text). Sentiment: + positive, - negative, 0 neutral.
# ---------------------------------------------------------------------------

CORPUS = {
    "en": [
        ("tech", "+", "Just upgraded to the new laptop and the battery lasts all day. Absolutely loving it!"),
        ("tech", "+", "The Swift 6 concurrency checks caught three data races in our code before they hit production."),
        ("tech", "-", "My phone died after the latest update and now it won't even boot. Really frustrating."),
        ("tech", "-", "Third outage this week. The status page says everything is fine. It is not."),
        ("tech", "0", "The conference keynote starts at 10am PT; slides will be posted afterwards."),
        ("tech", "0", "Comparing two databases for our analytics pipeline, benchmarks coming next week."),
        ("sports", "+", "What a comeback! Down two goals at half time and they still won 3-2."),
        ("sports", "+", "Ran my first half marathon today in 1:52. Legs are dead but I'm so happy."),
        ("sports", "-", "Another last-minute penalty miss. I can't watch this team anymore."),
        ("sports", "-", "Season ticket prices went up 40% again. Unbelievable."),
        ("sports", "0", "Kick-off has been moved to 8:45pm because of the weather forecast."),
        ("food", "+", "Best ramen I've had outside Tokyo, the broth was incredible."),
        ("food", "+", "Homemade sourdough finally came out right after six attempts!"),
        ("food", "-", "Waited 50 minutes for a cold burger and soggy fries. Never again."),
        ("food", "0", "Trying a new recipe tonight: lentil curry with coconut milk."),
        ("weather", "+", "Sunny, 22 degrees and no wind. Perfect day for a walk by the river."),
        ("weather", "-", "Flooded streets again and the bus is an hour late. This storm is awful."),
        ("weather", "0", "Forecast for tomorrow: light rain in the morning, clearing by the afternoon."),
        ("products", "+", "These noise-cancelling headphones are worth every penny, flights are so much quieter now."),
        ("products", "-", "The blender broke after two weeks and customer support keeps closing my ticket."),
        ("products", "0", "The new model ships in three colours and starts at $799."),
        ("travel", "+", "Landed in Lisbon and the light here is unreal. Can't wait to explore."),
        ("travel", "-", "Flight cancelled, no hotel voucher, sleeping at the gate. Thanks for nothing."),
        ("travel", "0", "Reminder: the museum is closed on Mondays, buy tickets online to skip the queue."),
        ("community", "+", "Our volunteers planted 500 trees in the park this weekend. Thank you all!"),
        ("community", "0", "The city council meeting on the new bike lanes is streamed live on Thursday."),
        ("community", "-", "Parking fees doubled overnight and nobody was told."),
        ("tech", "+", "Congrats to the whole team on shipping version 2.0 today!"),
        ("community", "0", "Survey results: 62% of respondents work remotely at least two days a week."),
        ("tech", "-", "The app keeps logging me out every five minutes. Please fix this."),
    ],
    "pl": [
        ("weather", "+", "Wreszcie słońce! Idealna pogoda na spacer po Plantach."),
        ("travel", "-", "Znowu korki na Zakopiance, stoję już godzinę. Masakra."),
        ("weather", "0", "Jutro w Warszawie przelotne opady deszczu i do 12 stopni."),
        ("food", "+", "Pierogi u babci to najlepsze jedzenie na świecie, bez dyskusji."),
        ("food", "-", "Zamówiłem pizzę dwie godziny temu i nadal jej nie ma."),
        ("sports", "+", "Co za mecz! Lech wygrał w ostatniej minucie."),
        ("sports", "-", "Nasza reprezentacja znowu zawiodła, zero celnych strzałów na bramkę."),
        ("sports", "0", "Mecz rozpocznie się o 20:30, transmisja w telewizji publicznej."),
        ("products", "+", "Nowy telefon działa świetnie, bateria trzyma dwa dni."),
        ("tech", "-", "Aktualizacja systemu zepsuła mi drukarkę. Dziękuję bardzo…"),
        ("tech", "0", "Konferencja o sztucznej inteligencji odbędzie się w Krakowie w listopadzie."),
        ("travel", "+", "Gdańsk jesienią jest przepiękny, polecam każdemu."),
        ("travel", "0", "Pociąg do Wrocławia ma 15 minut opóźnienia."),
        ("products", "-", "Ceny w sklepach znowu poszły w górę, chleb kosztuje już prawie dziesięć złotych."),
    ],
    "de": [
        ("weather", "+", "Endlich Wochenende und die Sonne scheint! Ab in den Biergarten."),
        ("travel", "-", "Die Bahn hat schon wieder 40 Minuten Verspätung. Ich bin so genervt."),
        ("weather", "0", "Morgen in Berlin: bewölkt, 9 Grad, am Abend leichter Regen."),
        ("sports", "+", "Was für ein Spiel! Der BVB dreht das Ding in der Nachspielzeit."),
        ("sports", "-", "Schon wieder verloren. Die Abwehr war heute eine Katastrophe."),
        ("sports", "0", "Das Pokalspiel wird am Mittwoch um 18 Uhr angepfiffen."),
        ("products", "+", "Die neue Kaffeemaschine ist der Hammer, der Espresso schmeckt wie in Italien."),
        ("tech", "-", "Seit dem Update stürzt die App ständig ab. Bitte behebt das endlich."),
        ("tech", "0", "Die Messe in Hannover öffnet am Dienstag ihre Tore für Fachbesucher."),
        ("food", "+", "Frische Brezeln und Weißwurst zum Frühstück – besser geht's nicht."),
        ("food", "-", "Das Essen war kalt und die Bedienung unfreundlich. Nie wieder."),
        ("travel", "+", "Wanderung am Königssee heute, einfach traumhaft."),
        ("travel", "0", "Ab Montag gilt der neue Fahrplan im Nahverkehr."),
        ("products", "-", "Mein Paket ist seit zwei Wochen verschwunden und niemand fühlt sich zuständig."),
    ],
    "es": [
        ("sports", "+", "¡Qué golazo en el último minuto! Este equipo nunca se rinde."),
        ("sports", "-", "Otra vez perdimos en casa. Así no se puede, la afición merece más."),
        ("sports", "0", "El partido de mañana empieza a las 21:00 y se podrá ver en abierto."),
        ("food", "+", "Las mejores tapas de Sevilla están en este bar escondido, ¡me encanta!"),
        ("food", "-", "La paella estaba salada y tardaron una hora en servirla. Qué decepción."),
        ("food", "0", "Hoy probamos una receta nueva de gazpacho para la cena."),
        ("weather", "+", "Hace un día precioso en Valencia, 25 grados y sol."),
        ("weather", "-", "Llevo tres días sin luz por la tormenta. Esto es un desastre."),
        ("weather", "0", "Se esperan lluvias intensas en el norte durante el fin de semana."),
        ("tech", "+", "Acabo de estrenar mi portátil nuevo y va rapidísimo."),
        ("products", "-", "El servicio de atención al cliente no responde desde hace una semana."),
        ("tech", "0", "La actualización del sistema estará disponible a partir del lunes."),
        ("travel", "+", "Viajar por la costa de Asturias en otoño es una maravilla."),
        ("travel", "-", "Me han perdido la maleta en el aeropuerto de Barajas otra vez."),
    ],
    "fr": [
        ("sports", "+", "Quel match incroyable hier soir ! Les supporters étaient en feu."),
        ("sports", "-", "Encore une défaite à domicile, c'est vraiment décevant."),
        ("sports", "0", "Le match est prévu samedi à 21h au Parc des Princes."),
        ("food", "+", "Un croissant tout chaud et un café en terrasse, le bonheur simple."),
        ("food", "-", "Le restaurant était bruyant et le plat complètement froid. Je ne reviendrai pas."),
        ("food", "0", "Ce soir je teste une recette de ratatouille de ma grand-mère."),
        ("weather", "+", "Il fait un temps magnifique à Lyon aujourd'hui, profitez-en !"),
        ("weather", "-", "Grève des transports et pluie battante, quelle journée pénible."),
        ("weather", "0", "Météo : averses en matinée puis éclaircies sur la Bretagne."),
        ("products", "+", "Mon nouveau téléphone prend des photos superbes, même la nuit."),
        ("tech", "-", "Impossible de me connecter depuis la mise à jour, c'est inadmissible."),
        ("tech", "0", "Le salon de la technologie ouvre ses portes jeudi à Paris."),
        ("travel", "+", "Les calanques de Marseille au coucher du soleil, c'est magique."),
        ("travel", "-", "Vol retardé de quatre heures sans aucune explication."),
    ],
    "pt": [
        ("sports", "+", "Que jogo! O Flamengo virou no segundo tempo e a torcida foi à loucura."),
        ("sports", "-", "Mais uma derrota em casa. O time está sem rumo."),
        ("sports", "0", "O jogo de domingo começa às 16h no Maracanã."),
        ("food", "+", "Esse açaí com granola é a melhor coisa do verão!"),
        ("food", "-", "Pedi comida há duas horas e até agora nada. Péssimo serviço."),
        ("food", "0", "Hoje vou testar uma receita de pão de queijo da minha avó."),
        ("weather", "+", "Dia lindo em Lisboa, céu azul e 24 graus."),
        ("weather", "-", "Chuva forte de novo e a rua virou um rio. Não aguento mais."),
        ("weather", "0", "Previsão: tempo nublado em São Paulo com chance de garoa à noite."),
        ("products", "+", "Comprei um fone novo e o som é incrível, recomendo demais."),
        ("tech", "-", "O aplicativo do banco caiu de novo bem no dia do pagamento."),
        ("tech", "0", "A nova versão do sistema será lançada na próxima semana."),
        ("travel", "+", "Viajar pelo Nordeste é sempre uma experiência maravilhosa."),
        ("travel", "-", "Voo atrasado e nenhuma informação da companhia aérea."),
    ],
    "it": [
        ("sports", "+", "Che partita! Gol al novantesimo e stadio in delirio."),
        ("sports", "-", "Un'altra sconfitta, la difesa oggi è stata disastrosa."),
        ("sports", "0", "La partita di domenica inizierà alle 20:45 a San Siro."),
        ("food", "+", "La pizza napoletana di questo locale è semplicemente perfetta."),
        ("food", "-", "Servizio lentissimo e pasta scotta. Che delusione."),
        ("food", "0", "Stasera provo la ricetta del risotto ai funghi porcini."),
        ("weather", "+", "Giornata splendida a Roma, sole e 23 gradi."),
        ("weather", "-", "Pioggia da tre giorni e strade allagate, che disastro."),
        ("weather", "0", "Previsioni: nuvoloso al nord con possibili temporali in serata."),
        ("products", "+", "Il nuovo smartphone ha una batteria fantastica, dura due giorni."),
        ("tech", "-", "Dopo l'aggiornamento il computer è lentissimo. Pessimo."),
        ("tech", "0", "La fiera dell'elettronica apre giovedì a Milano."),
        ("travel", "+", "Le Cinque Terre in autunno sono un sogno."),
        ("travel", "-", "Treno cancellato all'ultimo momento e nessun rimborso."),
    ],
    "ja": [
        ("food", "+", "今日のラーメン、スープが最高においしかった！また行きたい。"),
        ("travel", "-", "電車が一時間も遅れて、会議に間に合わなかった。最悪。"),
        ("weather", "0", "明日の東京は曇り時々雨、最高気温は15度の予報です。"),
        ("sports", "+", "昨日の試合、劇的な逆転勝ち！本当に感動した。"),
        ("tech", "-", "またアップデートでアプリが使えなくなった。困る。"),
        ("products", "0", "新しいモデルは来月から発売される予定です。"),
        ("travel", "+", "京都の紅葉がちょうど見頃で、とてもきれいでした。"),
        ("weather", "-", "台風の影響で飛行機が欠航になってしまった…"),
        ("food", "0", "週末は家で新しいレシピを試してみるつもりです。"),
        ("products", "+", "新しいカメラ、夜景がすごくきれいに撮れる！"),
        ("products", "-", "注文した商品がまだ届かない。サポートも返事がない。"),
        ("sports", "0", "サッカー日本代表の次の試合は来週の火曜日です。"),
        ("weather", "+", "今日は天気が良くて、散歩が気持ちいい。"),
        ("weather", "-", "雨ばかりで洗濯物が全然乾かない。"),
    ],
    "zh": [
        ("food", "+", "今天的火锅太好吃了，强烈推荐这家店！"),
        ("travel", "-", "地铁又晚点了，上班迟到了半个小时，太糟糕了。"),
        ("weather", "0", "明天北京多云，最高气温十二度。"),
        ("sports", "+", "这场比赛太精彩了，最后一分钟绝杀！"),
        ("tech", "-", "系统更新以后手机一直卡顿，很失望。"),
        ("products", "0", "新款手机将于下个月正式发布。"),
        ("travel", "+", "杭州西湖的秋天真美，值得一去。"),
        ("travel", "-", "航班取消了，也没有任何补偿，非常生气。"),
        ("food", "0", "周末打算在家试做一道新菜。"),
        ("products", "+", "新买的耳机降噪效果特别好，很满意。"),
        ("products", "-", "快递已经十天了还没到，客服也不回复。"),
        ("sports", "0", "国家队下一场比赛将在周二晚上举行。"),
        ("weather", "+", "今天阳光明媚，适合出去走走。"),
        ("weather", "-", "连续下了一周的雨，心情都变差了。"),
    ],
    "ko": [
        ("food", "+", "오늘 먹은 떡볶이 진짜 맛있었어요! 꼭 다시 갈 거예요."),
        ("travel", "-", "지하철이 또 지연돼서 회의에 늦었어요. 정말 짜증나요."),
        ("weather", "0", "내일 서울은 흐리고 오후에 비가 올 예정입니다."),
        ("sports", "+", "어제 경기 정말 대박이었어요! 마지막에 역전승!"),
        ("tech", "-", "업데이트 이후로 앱이 계속 꺼져요. 빨리 고쳐 주세요."),
        ("products", "0", "신제품은 다음 달에 출시될 예정입니다."),
        ("travel", "+", "제주도 여행 너무 좋았어요. 바다가 정말 예뻐요."),
        ("travel", "-", "비행기가 세 시간이나 지연됐는데 아무 설명도 없었어요."),
        ("food", "0", "주말에는 집에서 새로운 요리를 해 볼 생각이에요."),
        ("products", "+", "새로 산 노트북이 가볍고 빨라서 정말 만족해요."),
        ("products", "-", "주문한 물건이 아직도 안 왔어요. 고객센터도 연락이 안 돼요."),
        ("sports", "0", "국가대표팀의 다음 경기는 다음 주 화요일입니다."),
        ("weather", "+", "오늘 날씨가 너무 좋아서 산책하기 딱이에요."),
        ("weather", "-", "비가 일주일째 와서 너무 우울해요."),
    ],
    "ar": [
        ("sports", "+", "مباراة رائعة الليلة! هدف في الدقيقة الأخيرة وفرحة لا توصف."),
        ("sports", "-", "خسارة أخرى على أرضنا، الأداء كان سيئاً جداً."),
        ("sports", "0", "تقام المباراة القادمة يوم الجمعة في الساعة التاسعة مساءً."),
        ("food", "+", "أفضل كبسة أكلتها في حياتي، أنصح الجميع بهذا المطعم."),
        ("food", "-", "انتظرت ساعة كاملة ووصل الطعام بارداً. تجربة سيئة."),
        ("food", "0", "سأجرب الليلة وصفة جديدة للمقلوبة."),
        ("weather", "+", "الطقس اليوم جميل جداً في الرياض، مثالي للتنزه."),
        ("weather", "-", "عاصفة رملية قوية وإغلاق للطرق، يوم متعب."),
        ("weather", "0", "توقعات الطقس: أجواء غائمة جزئياً مع احتمال أمطار خفيفة."),
        ("products", "+", "الهاتف الجديد ممتاز والكاميرا رائعة."),
        ("tech", "-", "التطبيق لا يعمل منذ التحديث الأخير، هذا غير مقبول."),
        ("tech", "0", "سيتم إطلاق الإصدار الجديد من النظام الأسبوع المقبل."),
        ("travel", "+", "رحلتي إلى دبي كانت ممتعة جداً."),
        ("travel", "-", "تأخرت الرحلة خمس ساعات دون أي توضيح من الشركة."),
    ],
    "ru": [
        ("sports", "+", "Какой матч! Победный гол на последней минуте, стадион взорвался."),
        ("sports", "-", "Опять проиграли дома. Защита сегодня была ужасной."),
        ("sports", "0", "Матч начнётся в субботу в 19:00 по московскому времени."),
        ("food", "+", "Лучшие пельмени в городе, обязательно зайду ещё раз!"),
        ("food", "-", "Ждали заказ два часа, а суп принесли холодным. Разочарование."),
        ("food", "0", "Сегодня попробую новый рецепт борща."),
        ("weather", "+", "Отличная погода в Москве, солнце и плюс пятнадцать."),
        ("weather", "-", "Снова ливень, и все улицы затопило. Ужас."),
        ("weather", "0", "Прогноз на завтра: облачно, возможен небольшой снег."),
        ("products", "+", "Новый ноутбук просто супер, работает быстро и тихо."),
        ("tech", "-", "После обновления телефон постоянно зависает. Очень недоволен."),
        ("tech", "0", "Новая версия приложения выйдет на следующей неделе."),
        ("travel", "+", "Санкт-Петербург осенью прекрасен, всем советую."),
        ("travel", "-", "Рейс задержали на четыре часа без объяснений."),
    ],
}

HASHTAGS = {
    "en": {"tech": ["#tech", "#AI", "#SwiftLang", "#DevOps", "#opensource"],
           "sports": ["#football", "#NBA", "#running", "#PremierLeague"],
           "food": ["#foodie", "#ramen", "#baking", "#yum"],
           "weather": ["#weather", "#storm", "#sunny"],
           "products": ["#gadgets", "#review", "#deals"],
           "travel": ["#travel", "#Lisbon", "#wanderlust"],
           "community": ["#community", "#volunteering", "#cityhall"]},
    "pl": {"tech": ["#technologia", "#AI", "#programowanie"],
           "sports": ["#piłkanożna", "#Ekstraklasa", "#LechPoznań"],
           "food": ["#jedzenie", "#pierogi", "#smacznego"],
           "weather": ["#pogoda", "#jesień", "#Warszawa"],
           "products": ["#recenzja", "#zakupy"],
           "travel": ["#podróże", "#Gdańsk", "#Kraków", "#Zakopane"]},
    "de": {"tech": ["#Technik", "#Digitalisierung", "#KI"],
           "sports": ["#Bundesliga", "#BVB", "#Fußball", "#DFBPokal"],
           "food": ["#Frühstück", "#Essen", "#Brötchen"],
           "weather": ["#Wetter", "#Regen", "#Berlin"],
           "products": ["#Kaffee", "#Test"],
           "travel": ["#Reisen", "#Königssee", "#Bahn", "#München"]},
    "es": {"tech": ["#tecnología", "#IA"],
           "sports": ["#fútbol", "#LaLiga", "#golazo"],
           "food": ["#tapas", "#paella", "#gastronomía", "#Sevilla"],
           "weather": ["#tiempo", "#tormenta", "#Valencia"],
           "products": ["#tecnología", "#atenciónalcliente"],
           "travel": ["#viajes", "#Asturias", "#Barajas"]},
    "fr": {"tech": ["#technologie", "#IA", "#Paris"],
           "sports": ["#Ligue1", "#football", "#PSG"],
           "food": ["#café", "#cuisine", "#ratatouille", "#croissant"],
           "weather": ["#météo", "#Lyon", "#grève"],
           "products": ["#smartphone", "#photo"],
           "travel": ["#voyage", "#Marseille", "#calanques"]},
    "pt": {"tech": ["#tecnologia", "#app"],
           "sports": ["#futebol", "#Flamengo", "#Maracanã"],
           "food": ["#açaí", "#comida", "#pãodequeijo"],
           "weather": ["#previsão", "#chuva", "#SãoPaulo", "#Lisboa"],
           "products": ["#fone", "#review"],
           "travel": ["#viagem", "#Nordeste"]},
    "it": {"tech": ["#tecnologia", "#Milano"],
           "sports": ["#calcio", "#SerieA", "#SanSiro"],
           "food": ["#pizza", "#risotto", "#cibo"],
           "weather": ["#meteo", "#Roma", "#maltempo"],
           "products": ["#smartphone", "#recensione"],
           "travel": ["#viaggi", "#CinqueTerre", "#Trenitalia"]},
    "ja": {"tech": ["#アップデート", "#テクノロジー"],
           "sports": ["#サッカー", "#日本代表", "#逆転勝ち"],
           "food": ["#ラーメン", "#グルメ", "#料理"],
           "weather": ["#天気", "#東京", "#台風", "#雨"],
           "products": ["#カメラ", "#新製品"],
           "travel": ["#京都", "#紅葉", "#旅行"]},
    "zh": {"tech": ["#科技", "#手机"],
           "sports": ["#足球", "#国家队"],
           "food": ["#美食", "#火锅"],
           "weather": ["#天气", "#北京"],
           "products": ["#耳机", "#快递"],
           "travel": ["#旅行", "#杭州", "#西湖"]},
    "ko": {"tech": ["#앱", "#업데이트", "#기술"],
           "sports": ["#축구", "#국가대표", "#역전승"],
           "food": ["#맛집", "#떡볶이", "#서울맛집"],
           "weather": ["#날씨", "#서울"],
           "products": ["#노트북", "#쇼핑"],
           "travel": ["#여행", "#제주도"]},
    "ar": {"tech": ["#تقنية", "#تحديث"],
           "sports": ["#كرة_القدم", "#دوري_روشن"],
           "food": ["#مطبخ", "#كبسة", "#طعام"],
           "weather": ["#الطقس", "#الرياض"],
           "products": ["#هاتف", "#تقنية"],
           "travel": ["#سفر", "#دبي"]},
    "ru": {"tech": ["#технологии", "#обновление"],
           "sports": ["#футбол", "#РПЛ"],
           "food": ["#еда", "#пельмени", "#рецепт"],
           "weather": ["#погода", "#Москва"],
           "products": ["#ноутбук", "#обзор"],
           "travel": ["#путешествия", "#Питер", "#СанктПетербург"]},
}

# Emoji, with skin tones, ZWJ sequences, variation selectors, flags and keycaps.
ZWJ = "\u200d"
EMOJI = {
    "+": ["😀", "😍", "🎉", "🔥", "✨", "🥳", "🙌", "❤️", "💯",
          "👍\U0001F3FD", "🙌\U0001F3FB", "👏\U0001F3FF", "💪\U0001F3FE",
          "❤️" + ZWJ + "🔥"],
    "-": ["😡", "😞", "💔", "😤", "🙄", "😩", "🌧️", "👎\U0001F3FF", "🤦\U0001F3FC" + ZWJ + "♂️",
          "😮" + ZWJ + "💨"],
    "0": ["🤔", "📊", "📅", "🧐", "➡️", "📌", "ℹ️", "🗓️", "👀"],
}
SPECIAL_EMOJI = [
    "👩" + ZWJ + "💻",                                    # woman technologist
    "🧑\U0001F3FE" + ZWJ + "🚀",                          # astronaut, medium-dark skin
    "👨" + ZWJ + "👩" + ZWJ + "👧" + ZWJ + "👦",          # family
    "🏳️" + ZWJ + "🌈",                                   # rainbow flag
    "🏃\U0001F3FB" + ZWJ + "♀️",                          # woman running, light skin
    "👩\U0001F3FD" + ZWJ + "🔬",                          # woman scientist
    "🐻" + ZWJ + "❄️",                                    # polar bear
    "🇵🇱", "🇩🇪", "🇯🇵", "🇧🇷", "🇰🇷", "🇸🇦", "🇫🇷", "🇮🇹",
    "1️⃣", "#️⃣",
]

# Time zone offsets used to write created_at in local time (RFC 3339 offsets).
# Central European time switches from +02:00 to +01:00 on 2026-10-25 01:00Z.
CET_SWITCH = dt.datetime(2026, 10, 25, 1, 0, 0, tzinfo=dt.timezone.utc)
LOCAL_OFFSETS = {"pl": "cet", "de": "cet", "fr": "cet", "it": "cet", "es": "cet",
                 "pt": -3, "ja": 9, "ko": 9, "zh": 8, "ru": 3, "ar": 3, "en": 0}

NAMES = {
    "en": ["sarah_codes", "mike_runs", "devops_dan", "jess_bakes", "tom_travels", "emily_r",
           "city_news_now", "techcrunchy", "ben_carter", "lucy_in_london", "weather_watch_uk",
           "gadget_guru", "nina_writes"],
    "pl": ["anna_kowalska", "piotr_nowak", "kasia_w", "marek_z_krakowa", "gosia_gotuje",
           "lech_fan_1922"],
    "de": ["jan_mueller", "lena_schmidt", "bvb_anna", "kaffee_klaus", "reise_tom", "berlin_wetter"],
    "es": ["lucia_garcia", "pablo_madrid", "comer_en_sevilla", "marta_viaja", "javi_futbol"],
    "fr": ["camille_dupont", "luc_martin", "paris_gourmand", "meteo_lyon", "sophie_voyage"],
    "pt": ["joao_silva", "ana_souza", "mengao_sempre", "pedro_sp", "bia_viaja"],
    "it": ["giulia_rossi", "marco_bianchi", "pizza_lover_na", "roma_meteo", "luca_viaggi"],
    "ja": ["sakura_tanaka", "ramen_taro", "tokyo_tenki", "kenji_s", "yuki_travel"],
    "zh": ["li_wei88", "zhang_min", "beijing_foodie", "chen_jie", "xiao_hua"],
    "ko": ["minjun_kim", "jiyeon_lee", "seoul_eats", "hyunwoo_park", "soyoung_choi"],
    "ar": ["ahmed_ali", "fatima_h", "riyadh_weather", "omar_travels", "sara_k"],
    "ru": ["ivan_petrov", "olga_smirnova", "moscow_food", "dmitry_k", "spb_traveller"],
}
BRANDS = ["swift_lang", "OpenSourceDaily", "TechNewsWire", "GlobalFootball", "FoodieWorld",
          "TravelDeals", "WeatherCentral", "GadgetReviews"]

URL_PATHS = {
    "tech": ["blog/2026/release-notes", "status", "docs/getting-started?lang=swift"],
    "sports": ["sports/match-report/3-2", "sports/tables/2026"],
    "food": ["recipes/lentil-curry", "recipes/sourdough?step=4"],
    "weather": ["weather/forecast?city=berlin&days=3", "weather/radar"],
    "products": ["reviews/headphones-x2", "shop/deals#today"],
    "travel": ["travel/lisbon-guide#day-1", "travel/trains/delays"],
    "community": ["news/local/bike-lanes", "news/local/tree-planting"],
}

INVALID = [
    # (what, raw line)
    ("missing id", json.dumps({"text": "I have no id at all, drop me into the dead letters please.",
                               "lang": "en"}, ensure_ascii=False)),
    ("empty id", json.dumps({"id": "", "text": "Pusty identyfikator nie jest dozwolony.",
                             "lang": "pl"}, ensure_ascii=False)),
    ("text is a number", json.dumps({"id": "inv-text-number", "text": 12345, "lang": "en"})),
    ("negative likes", json.dumps({"id": "inv-negative-likes", "text": "Negative engagement?",
                                   "metrics": {"likes": -5, "retweets": 2}})),
    ("author is a string", json.dumps({"id": "inv-author-type", "text": "Who wrote this?",
                                       "author": "@someone"})),
    ("duplicate key", '{"id":"inv-duplicate-key","text":"first text","lang":"en","text":"second text"}'),
    ("truncated JSON", '{"id":"inv-truncated","text":"This line was cut in the mid'),
    ("plain text", "this is not JSON at all, just a line of plain text #oops"),
    ("lone surrogate escape", '{"id":"inv-lone-surrogate","text":"broken emoji \\ud83d here","lang":"en"}'),
    ("missing text", json.dumps({"id": "inv-missing-text", "lang": "de",
                                 "author": {"username": "jan_mueller"}})),
    ("id longer than 64 characters", json.dumps({"id": "x" * 65, "text": "Sixty-five characters of id."})),
    ("negative integer id", json.dumps({"id": -42, "text": "Negative ids are not allowed."})),
    ("retweets is a string", json.dumps({"id": "inv-metrics-string", "text": "Numbers as strings",
                                         "metrics": {"likes": 3, "retweets": "12"}})),
    ("trailing bytes", '{"id":"inv-trailing","text":"valid object, then garbage"} {"extra":true}'),
    ("top-level array", '[{"id":"inv-array","text":"an array is not a tweet"}]'),
]


def rfc3339(t, lang, rng):
    """created_at in UTC ('Z'), with milliseconds, or in local time with an offset."""
    style = rng.random()
    if style < 0.6:
        return t.strftime("%Y-%m-%dT%H:%M:%SZ")
    if style < 0.75:
        return t.strftime("%Y-%m-%dT%H:%M:%S.") + "%03dZ" % (t.microsecond // 1000)
    off = LOCAL_OFFSETS[lang]
    if off == "cet":
        off = 2 if t < CET_SWITCH else 1
    local = t.astimezone(dt.timezone(dt.timedelta(hours=off)))
    return local.replace(microsecond=0).isoformat()  # e.g. 2026-10-14T11:31:07+02:00


def snowflake(t, rng):
    ms = int(t.timestamp() * 1000)
    return ((ms - TWITTER_EPOCH_MS) << 22) | rng.getrandbits(22)


def t_co(rng):
    return "https://t.co/" + "".join(rng.choice(string.ascii_letters + string.digits) for _ in range(10))


def make_authors(rng):
    authors = {}
    for lang, names in NAMES.items():
        authors[lang] = []
        for name in names:
            followers = int(10 ** rng.uniform(0.3, 6.2))
            if name in ("city_news_now", "techcrunchy", "weather_watch_uk", "tokyo_tenki"):
                followers = int(10 ** rng.uniform(5.5, 7.3))
            verified = (followers > 300_000 and rng.random() < 0.75) or rng.random() < 0.03
            author = {"id": str(rng.randrange(10**7, 10**18)), "username": name,
                      "followers": followers, "verified": verified}
            shape = rng.random()
            if shape < 0.08:
                author = {"username": name}
            elif shape < 0.15:
                del author["verified"]
            authors[lang].append(author)
    return authors


def metrics_for(followers, rng):
    reach = math.sqrt(max(followers, 1))
    likes = int(reach * rng.lognormvariate(-1.0, 1.3))
    if rng.random() < 0.03:
        likes = likes * 50 + rng.randrange(10_000, 250_000)   # went viral
    if rng.random() < 0.12:
        likes = 0
    m = {"likes": likes,
         "retweets": int(likes * rng.uniform(0.02, 0.35)),
         "replies": int(likes * rng.uniform(0.0, 0.12)),
         "quotes": int(likes * rng.uniform(0.0, 0.04))}
    shape = rng.random()
    if shape < 0.1:
        m = {"likes": likes}
    elif shape < 0.2:
        del m["quotes"]
    return m


def media_for(rng):
    n = rng.choice([1, 1, 1, 2, 3, 4])
    kind = rng.choices(["photo", "video", "animated_gif"], weights=[70, 20, 10])[0]
    if kind != "photo":
        n = 1
    items = []
    for _ in range(n):
        key = "".join(rng.choice(string.ascii_letters + string.digits + "_-") for _ in range(15))
        if kind == "photo":
            url = "https://pbs.twimg.com/media/%s.jpg" % key
        elif kind == "video":
            url = "https://video.twimg.com/ext_tw_video/%d/pu/vid/1280x720/%s.mp4" % (
                rng.randrange(10**18, 2 * 10**18), key)
        else:
            url = "https://video.twimg.com/tweet_video/%s.mp4" % key
        items.append({"type": kind, "url": url})
    return items


def compose_text(lang, rng, reply_to_user=None):
    topic, sentiment, text = rng.choice(CORPUS[lang])
    if rng.random() < 0.18:
        # a second sentence on the same topic (sometimes with another mood)
        others = [s for s in CORPUS[lang] if s[0] == topic and s[2] != text]
        if others:
            text += ("\n\n" if rng.random() < 0.3 else " ") + rng.choice(others)[2]
    if rng.random() < 0.55:
        emojis = rng.sample(EMOJI[sentiment], rng.choice([1, 1, 2, 3]))
        if rng.random() < 0.2:
            emojis.append(rng.choice(SPECIAL_EMOJI))
        text += " " + "".join(emojis)
    elif rng.random() < 0.12:
        text = rng.choice(SPECIAL_EMOJI) + " " + text
    if rng.random() < 0.6:
        tags = HASHTAGS[lang][topic]
        text += " " + " ".join(rng.sample(tags, min(len(tags), rng.choice([1, 1, 2, 3]))))
    if rng.random() < 0.12:
        other = rng.choice(BRANDS + NAMES[lang])
        text = text + " cc @" + other if rng.random() < 0.5 else "@" + other + " " + text
    if rng.random() < 0.2:
        if rng.random() < 0.7:
            url = t_co(rng)
        else:
            url = "https://example.com/" + rng.choice(URL_PATHS[topic])
        text += " " + url
    if reply_to_user:
        text = "@" + reply_to_user + " " + text
    elif rng.random() < 0.04:
        text = "RT @" + rng.choice(BRANDS + NAMES[lang]) + ": " + text
    return topic, sentiment, text


def handcrafted(rng):
    """Edge cases that are still valid tweets: (lang or None, fields)."""
    long_thread = " ".join("%d/12 %s" % (i + 1, s[2]) for i, s in enumerate(CORPUS["en"][:12]))
    long_post = ("Long read: what we learned moving our tweet pipeline from Python to Swift. " +
                 " ".join(s[2] for s in CORPUS["en"]) + " ") * 5
    return [
        ("und", {"text": "🔥🔥🔥"}),
        ("en", {"text": "Family day at the beach " + SPECIAL_EMOJI[2] + "🏖️ #family #weekend"}),
        ("en", {"text": "Great job everyone 👏\U0001F3FF👏\U0001F3FE👏\U0001F3FD👏\U0001F3FC👏\U0001F3FB #teamwork"}),
        ("pl", {"text": "🇵🇱 kontra 🇩🇪 dziś wieczorem! Kto wygra? #Euro #PolskaNiemcy"}),
        ("en", {"text": "Tip: run `swift build -c release` and look in .build/release " + SPECIAL_EMOJI[0] + " #SwiftLang"}),
        ("en", {"text": 'He said "ship it" and pushed straight to main \\o/ 😅 #devlife'}),
        ("en", {"text": "Q&amp;A at 5pm:\n\t- roadmap\n\t- pricing\n\t- your questions 🙋\U0001F3FD" + ZWJ + "♀️"}),
        ("fr", {"text": "Cafe\u0301 au lait et croissant, parfait ☕ #café"}),  # decomposed é
        ("ar", {"text": "أطلقت Apple تحديث iOS 26.1 اليوم، والتحميل 1.2 GB تقريباً. #تقنية"}),
        ("es", {"text": "Meeting at 10, ¡luego tapas! 🍤 #remotework #Madrid"}),
        ("en", {"text": "Price dropped from €1,299 to €999 — that's 23% off! #deals"}),
        ("en", {"text": "1️⃣ coffee 2️⃣ code 3️⃣ deploy #️⃣ repeat"}),
        ("ja", {"text": "東京の歴史はここで読めます https://ja.wikipedia.org/wiki/東京 #東京"}),
        ("en", {"text": long_thread}),
        ("en", {"text": long_post.strip()}),
        ("ko", {"text": "서울 불꽃축제 " + SPECIAL_EMOJI[5] + " 정말 멋졌어요! #서울 #불꽃축제 🎆"}),
        ("zh", {"text": "新版本的应用终于支持深色模式了 🌙 #科技 @TechNewsWire"}),
        ("ru", {"text": "Космос ждёт " + SPECIAL_EMOJI[1] + " #космос #технологии"}),
        ("en", {"text": "Proud to be here " + SPECIAL_EMOJI[3] + " #Pride #2026Goals @swift_lang"}),
        ("de", {"text": "Morgens 5 km gelaufen " + SPECIAL_EMOJI[4] + " #Laufen #Web3_dev? Nein, nur Sport."}),
        ("it", {"text": "Ciao a tutti! 👋\U0001F3FE Oggi si parte per la Sicilia 🇮🇹 #viaggi"}),
        ("pt", {"text": "Fim de semana no Rio 🇧🇷 " + SPECIAL_EMOJI[6] + "? Não, aqui faz 35 graus! 😂"}),
        ("en", {"text": "Zero likes, zero problems."}),
    ]


def build(rng):
    authors = make_authors(rng)
    langs = list(CORPUS)
    weights = [24 if l == "en" else 7 for l in langs]
    special = handcrafted(rng)
    n_generated = N_VALID - len(special)

    # Timestamps first (sorted), so ids are snowflake-like and replies point back in time.
    start = REFERENCE - WINDOW
    times = sorted(start + dt.timedelta(seconds=rng.uniform(0, WINDOW.total_seconds()))
                   for _ in range(N_VALID))
    special_slots = set(rng.sample(range(N_VALID), len(special)))

    tweets = []
    by_lang = {l: [] for l in langs + ["und"]}
    special_iter = iter(special)
    for i, t in enumerate(times):
        t = t.replace(microsecond=(t.microsecond // 1000) * 1000)
        if i in special_slots:
            lang, fields = next(special_iter)
            text = fields["text"]
            reply = None
        else:
            lang = rng.choices(langs, weights=weights)[0]
            reply = None
            if by_lang[lang] and rng.random() < 0.1:
                reply = rng.choice(by_lang[lang])
            reply_user = None
            if reply is not None:
                reply_user = reply.get("author", {}).get("username") or rng.choice(NAMES[lang])
            _topic, _sent, text = compose_text(lang, rng, reply_user)

        author_lang = "en" if lang == "und" else lang
        author = rng.choice(authors[author_lang]) if rng.random() > 0.08 else None

        tid = snowflake(t, rng)
        r = rng.random()
        if r < 0.03:
            tid_value = rng.randrange(1, 10**7)          # small integer id (valid)
        elif r < 0.05:
            tid_value = tid                              # 19-digit integer id (valid, > 2^53)
        elif r < 0.08:
            tid_value = "tw-%s" % "".join(rng.choice("0123456789abcdef") for _ in range(16))
        else:
            tid_value = str(tid)

        tweet = {"id": tid_value, "text": text}
        if rng.random() < 0.93:
            tweet["created_at"] = rfc3339(t, author_lang, rng)
        if rng.random() < 0.9:
            tweet["lang"] = lang
        if author is not None:
            tweet["author"] = dict(author)
        if text == "Zero likes, zero problems.":
            tweet["metrics"] = {"likes": 0, "retweets": 0, "replies": 0, "quotes": 0}
        elif rng.random() < 0.88:
            tweet["metrics"] = metrics_for(author.get("followers", 100) if author else 50, rng)
        if rng.random() < 0.22:
            tweet["media"] = media_for(rng)
        if reply is not None:
            tweet["in_reply_to"] = str(reply["id"])
        tweets.append(tweet)
        by_lang[lang].append(tweet)

    # One exactly-64-character string id (the longest allowed), on a tweet nobody replies to.
    targets = {t["in_reply_to"] for t in tweets if "in_reply_to" in t}
    free = [i for i, t in enumerate(tweets) if str(t["id"]) not in targets]
    tweets[rng.choice(free)]["id"] = "tw-" + "0123456789abcdef" * 3 + "0123456789abcdefXYZ"[:13]
    return tweets


def encode(tweet, rng):
    r = rng.random()
    obj = tweet
    if r < 0.12:   # id last: key order must not matter
        obj = {k: v for k, v in tweet.items() if k != "id"}
        obj["id"] = tweet["id"]
    style = rng.random()
    if style < 0.1:
        return json.dumps(obj, ensure_ascii=True, separators=(",", ":"))  # \uXXXX, surrogate pairs
    if style < 0.2:
        return json.dumps(obj, ensure_ascii=False)                      # ", " and ": "
    return json.dumps(obj, ensure_ascii=False, separators=(",", ":"))


def write_jsonl(path, tweets, rng):
    lines = [encode(t, rng) for t in tweets]
    total = len(lines) + len(INVALID)
    slots = sorted(rng.sample(range(1, total), len(INVALID)))
    for slot, (_what, raw) in zip(slots, INVALID):
        lines.insert(slot, raw)
    for line in lines:
        assert "\n" not in line and "\r" not in line
    with open(path, "w", encoding="utf-8", newline="\n") as f:
        f.write("\n".join(lines) + "\n")
    return len(lines)


def write_csv(path, tweets, rng):
    header = ["id", "text", "lang", "author_username", "author_followers", "likes", "retweets",
              "created_at"]
    picked = []
    seen_langs = set()
    for t in tweets:   # one per language first, then fill up
        lang = t.get("lang")
        if lang and lang not in seen_langs and "author" in t and "created_at" in t:
            seen_langs.add(lang)
            picked.append(t)
    for t in tweets:
        if len(picked) >= 17:
            break
        if t not in picked and "author" in t and len(t["text"]) < 300:
            picked.append(t)
    rows = []
    for t in picked:
        a = t.get("author", {})
        m = t.get("metrics", {})
        rows.append([str(t["id"]), t["text"], t.get("lang", ""), a.get("username", ""),
                     a.get("followers", ""), m.get("likes", ""), m.get("retweets", ""),
                     t.get("created_at", "")])
    # Quoting cases: a comma, double quotes, and a multi-line field.
    rows.append(["csv-comma-0001", "Apples, pears, and plums: all 30% off this week, while stocks last.",
                 "en", "gadget_guru", 15320, 42, 7, "2026-10-20T08:15:00Z"])
    rows.append(["csv-quotes-0002", 'She said "best pizza in Naples" and she was right, "no doubt" 🍕',
                 "en", "pizza_lover_na", 880, 12, 1, "2026-10-22T19:02:11+02:00"])
    rows.append(["csv-multiline-0003", "Shopping list:\n- milk\n- bread, rye\n- \"good\" coffee ☕",
                 "en", "jess_bakes", "", 3, 0, "2026-10-30T07:45:30.250Z"])
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n", quoting=csv.QUOTE_MINIMAL)
    w.writerow(header)
    w.writerows(rows[:20])
    with open(path, "w", encoding="utf-8", newline="") as f:
        f.write(buf.getvalue())
    return len(rows[:20])


def main(argv):
    here = os.path.dirname(os.path.abspath(__file__))
    p = argparse.ArgumentParser(description="Write samples/tweets.jsonl and samples/tweets.csv.")
    p.add_argument("--out", default=os.path.join(here, "..", "samples"),
                   help="output directory (default: samples/ of the repository)")
    args = p.parse_args(argv)
    os.makedirs(args.out, exist_ok=True)

    rng = random.Random(SEED)
    tweets = build(rng)
    n_lines = write_jsonl(os.path.join(args.out, "tweets.jsonl"), tweets, rng)
    n_rows = write_csv(os.path.join(args.out, "tweets.csv"), tweets, rng)
    print("wrote %s: %d lines (%d valid, %d invalid on purpose)" % (
        os.path.normpath(os.path.join(args.out, "tweets.jsonl")), n_lines, len(tweets), len(INVALID)))
    print("wrote %s: %d rows" % (os.path.normpath(os.path.join(args.out, "tweets.csv")), n_rows))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
