using Takedowns.Contracts;

namespace Takedowns.Scenarios.FamilyC;

/// <summary>The languages and scripts notices come in.</summary>
internal enum Tongue { English, Russian, Kazakh, Kyrgyz, UzbekLatin, UzbekCyrillic, Tajik, Turkmen }

/// <summary>
/// Every text family C writes: platforms' own notices, complaints forwarded by them, the notices of the steady senders
/// and the campaign templates. All synthetic; placeholders in braces are filled per report.
/// </summary>
internal static class Tongues
{
    public static bool Cyrillic(Tongue t) => t is Tongue.Russian or Tongue.Kazakh or Tongue.Kyrgyz or Tongue.UzbekCyrillic or Tongue.Tajik;

    public static string PlatformName(Platform p) => p switch
    {
        Platform.YouTube => "YouTube", Platform.Facebook => "Facebook", Platform.Instagram => "Instagram", Platform.Telegram => "Telegram",
        Platform.X => "X", Platform.TikTok => "TikTok", Platform.VK => "VK", Platform.Odnoklassniki => "OK", _ => "the service",
    };

    /// <summary>What a platform writes when it removes or limits something, per ground category; Russian where a language has none.</summary>
    private static readonly Dictionary<(GroundCategory, Tongue), string[]> Notices = new()
    {
        [(GroundCategory.CommunityStandards, Tongue.English)] =
        [
            "Your post was taken down because it breaks the {platform} Community Standards. We act on this kind of content to keep people safe. If you think this was an error, you can ask for a second look within 30 days.",
            "We removed content you shared on {platform}. It was found to go against our rules on violence and incitement. Your account may face further limits if this happens again.",
        ],
        [(GroundCategory.CommunityStandards, Tongue.Russian)] =
        [
            "Ваша публикация удалена, так как нарушает нормы сообщества {platform}. Если вы считаете решение ошибочным, вы можете запросить повторную проверку в течение 30 дней.",
            "Мы удалили материал, который вы разместили в {platform}: он противоречит нашим правилам о насилии и подстрекательстве. При повторении ограничения для аккаунта могут быть расширены.",
        ],
        [(GroundCategory.CommunityStandards, Tongue.Kazakh)] =
            ["Материалыңыз {platform} қауымдастық нормаларына сәйкес келмегендіктен жойылды. Қателік кетті деп есептесеңіз, 30 күн ішінде қайта тексеруді сұрай аласыз."],
        [(GroundCategory.CommunityStandards, Tongue.Kyrgyz)] =
            ["Материалыңыз {platform} коомчулук нормаларына туура келбегендиктен өчүрүлдү. Ката кетти деп эсептесеңиз, 30 күндүн ичинде кайра текшерүүнү сурай аласыз."],
        [(GroundCategory.CommunityStandards, Tongue.UzbekLatin)] =
            ["Materialingiz {platform} hamjamiyat me'yorlariga mos kelmagani uchun o'chirildi. Xatolik bo'lgan deb hisoblasangiz, 30 kun ichida qayta tekshirishni so'rashingiz mumkin."],
        [(GroundCategory.CommunityStandards, Tongue.UzbekCyrillic)] =
            ["Материалингиз {platform} ҳамжамият меъёрларига мос келмагани учун ўчирилди. Хатолик бўлган деб ҳисобласангиз, 30 кун ичида қайта текширишни сўрашингиз мумкин."],
        [(GroundCategory.CommunityStandards, Tongue.Tajik)] =
            ["Маводи шумо ба меъёрҳои ҷомеаи {platform} мувофиқат накарданаш сабаб нест карда шуд. Агар фикр кунед, ки хато шудааст, дар давоми 30 рӯз бозбиниро дархост карда метавонед."],
        [(GroundCategory.CommunityStandards, Tongue.Turkmen)] =
            ["Materialyňyz {platform} jemgyýetçilik kadalaryna laýyk gelmeýändigi sebäpli aýryldy. Ýalňyşlyk goýberildi diýip hasaplasaňyz, 30 günüň dowamynda täzeden barlamagy sorap bilersiňiz."],

        [(GroundCategory.IntellectualProperty, Tongue.English)] =
        [
            "We received a copyright complaint from {claimant} about something you posted, so it is no longer available. Accounts with repeated infringements can be disabled.",
            "Following a notice from {claimant}, we have disabled access to your upload under our intellectual property policy. You may send a counter-notification if you hold the rights.",
        ],
        [(GroundCategory.IntellectualProperty, Tongue.Russian)] =
        [
            "Мы получили жалобу о нарушении авторских прав от {claimant}, и ваш материал больше недоступен. Повторные нарушения могут привести к блокировке аккаунта.",
            "По уведомлению правообладателя {claimant} доступ к вашему материалу закрыт в соответствии с политикой об интеллектуальной собственности. Вы можете направить встречное уведомление.",
        ],
        [(GroundCategory.IntellectualProperty, Tongue.Kazakh)] =
            ["{claimant} тарапынан авторлық құқықты бұзу туралы шағым түсті, сондықтан материалыңыз енді қолжетімсіз. Қайталанған бұзушылықтар аккаунтты бұғаттауға әкелуі мүмкін."],
        [(GroundCategory.IntellectualProperty, Tongue.Kyrgyz)] =
            ["{claimant} тарабынан автордук укукту бузуу боюнча даттануу келип түштү, ошондуктан материалыңыз мындан ары жеткиликсиз. Кайталанган бузуулар аккаунтту бөгөттөөгө алып келиши мүмкүн."],
        [(GroundCategory.IntellectualProperty, Tongue.UzbekLatin)] =
            ["{claimant} tomonidan mualliflik huquqi buzilgani haqida shikoyat kelib tushdi, shu sababli materialingiz endi mavjud emas. Takroriy buzilishlar akkaunt bloklanishiga olib kelishi mumkin."],
        [(GroundCategory.IntellectualProperty, Tongue.UzbekCyrillic)] =
            ["{claimant} томонидан муаллифлик ҳуқуқи бузилгани ҳақида шикоят келиб тушди, шу сабабли материалингиз энди мавжуд эмас. Такрорий бузилишлар аккаунт блокланишига олиб келиши мумкин."],
        [(GroundCategory.IntellectualProperty, Tongue.Tajik)] =
            ["Аз ҷониби {claimant} шикоят дар бораи вайрон кардани ҳуқуқи муаллиф ворид шуд, бинобар ин маводи шумо дигар дастрас нест. Вайронкуниҳои такрорӣ метавонанд ба басташавии ҳисоб оварда расонанд."],
        [(GroundCategory.IntellectualProperty, Tongue.Turkmen)] =
            ["{claimant} tarapyndan awtorlyk hukugynyň bozulmagy barada şikaýat gelip gowuşdy, şonuň üçin materialyňyz indi elýeterli däl. Gaýtalanýan bozulmalar hasabyň petiklenmegine getirip biler."],

        [(GroundCategory.Impersonation, Tongue.English)] =
            ["Your account was suspended after someone reported that it pretends to be another person or organisation. You can appeal by confirming who you are."],
        [(GroundCategory.Impersonation, Tongue.Russian)] =
            ["Ваш аккаунт приостановлен по жалобе о том, что он выдаёт себя за другого человека или организацию. Обжаловать решение можно, подтвердив свою личность."],
        [(GroundCategory.Impersonation, Tongue.Kazakh)] =
            ["Аккаунтыңыз басқа адамның немесе ұйымның атын жамылды деген шағым бойынша тоқтатылды. Жеке басыңызды растап, шешімге шағымдана аласыз."],
        [(GroundCategory.Impersonation, Tongue.UzbekLatin)] =
            ["Akkauntingiz boshqa shaxs yoki tashkilot nomidan ish ko'rmoqda degan shikoyat asosida to'xtatildi. Shaxsingizni tasdiqlab, qarorga e'tiroz bildirishingiz mumkin."],

        [(GroundCategory.Spam, Tongue.English)] =
            ["We limited some features of your account because of activity that looked automated or misleading. The limits lift on their own after a while."],
        [(GroundCategory.Spam, Tongue.Russian)] =
            ["Некоторые функции вашего аккаунта ограничены из-за действий, похожих на автоматические или вводящие в заблуждение. Ограничения будут сняты через некоторое время."],

        [(GroundCategory.LegalRequest, Tongue.English)] =
            ["Access to this content has been restricted in {country} in response to a legal complaint. It remains visible elsewhere."],
        [(GroundCategory.LegalRequest, Tongue.Russian)] =
            ["Доступ к этому материалу ограничен на территории страны {country} в связи с юридической жалобой. В других странах он остаётся доступным."],

        [(GroundCategory.GovernmentRequest, Tongue.English)] =
            ["Following a request from a government authority, this content is withheld in {country}."],
        [(GroundCategory.GovernmentRequest, Tongue.Russian)] =
            ["По требованию государственного органа этот материал недоступен в стране {country}."],
        [(GroundCategory.GovernmentRequest, Tongue.Kazakh)] =
            ["Мемлекеттік органның талабы бойынша бұл материал {country} аумағында қолжетімсіз."],
        [(GroundCategory.GovernmentRequest, Tongue.UzbekLatin)] =
            ["Davlat organining talabiga ko'ra ushbu material {country} hududida mavjud emas."],

        [(GroundCategory.Unknown, Tongue.English)] = ["Your account is temporarily restricted."],
        [(GroundCategory.Unknown, Tongue.Russian)] = ["Ваш аккаунт временно ограничен."],
    };

    public static string PlatformNotice(GroundCategory category, Tongue tongue, Random rng)
    {
        if (!Notices.TryGetValue((category, tongue), out var options))
            options = Notices.TryGetValue((category, Tongue.Russian), out var ru) ? ru : Notices[(GroundCategory.Unknown, Tongue.English)];
        return options[rng.Next(options.Length)];
    }

    /// <summary>A line naming the item a notice is about: a title, a date and its address.</summary>
    public static string ItemLine(Tongue tongue, string title, DateOnly day, string url) => tongue switch
    {
        Tongue.English => $"Item: \"{title}\", posted {day:d MMM yyyy}, {url}",
        Tongue.Kazakh => $"Материал: «{title}», {day:dd.MM.yyyy}, {url}",
        Tongue.Kyrgyz => $"Материал: «{title}», {day:dd.MM.yyyy}, {url}",
        Tongue.UzbekLatin => $"Material: «{title}», {day:dd.MM.yyyy}, {url}",
        Tongue.UzbekCyrillic => $"Материал: «{title}», {day:dd.MM.yyyy}, {url}",
        Tongue.Tajik => $"Мавод: «{title}», {day:dd.MM.yyyy}, {url}",
        Tongue.Turkmen => $"Material: «{title}», {day:dd.MM.yyyy}, {url}",
        _ => $"Материал: «{title}», опубликован {day:dd.MM.yyyy}, {url}",
    };

    private static readonly Dictionary<Tongue, string[]> Topics = new()
    {
        [Tongue.English] = ["Water prices in {city}", "Interview with a dismissed teacher", "What the budget hearing did not say", "Night raid at the bazaar", "Flooded roads after the storm", "Who owns the new mall", "Pensioners queue for hours", "Court hearing, day three", "Students protest the fee rise", "Coal shortage this winter"],
        [Tongue.Russian] = ["Цены на воду в {city}", "Интервью с уволенной учительницей", "О чём молчали на бюджетных слушаниях", "Ночной рейд на рынке", "Дороги после ливня", "Кому принадлежит новый торговый центр", "Пенсионеры часами стоят в очереди", "Суд, день третий", "Студенты против повышения платы", "Нехватка угля этой зимой", "Стрим: ответы на вопросы зрителей"],
        [Tongue.Kazakh] = ["{city} қаласындағы су бағасы", "Жұмыстан шығарылған мұғаліммен сұхбат", "Бюджет тыңдауында не айтылмады", "Базардағы түнгі рейд", "Нөсерден кейінгі жолдар", "Жаңа сауда орталығы кімдікі", "Зейнеткерлер сағаттап кезекте", "Сот отырысы, үшінші күн"],
        [Tongue.Kyrgyz] = ["{city} шаарындагы суунун баасы", "Иштен бошотулган мугалим менен маек", "Бюджеттик угууда эмне айтылган жок", "Базардагы түнкү рейд", "Нөшөрдөн кийинки жолдор", "Жаңы соода борбору кимдики", "Пенсионерлер сааттап кезекте"],
        [Tongue.UzbekLatin] = ["{city}da suv narxi", "Ishdan bo'shatilgan o'qituvchi bilan suhbat", "Byudjet eshituvida nima aytilmadi", "Bozordagi tungi reyd", "Jaladan keyingi yo'llar", "Yangi savdo markazi kimniki", "Nafaqaxo'rlar soatlab navbatda", "Sud majlisi, uchinchi kun"],
        [Tongue.UzbekCyrillic] = ["{city}да сув нархи", "Ишдан бўшатилган ўқитувчи билан суҳбат", "Бюджет эшитувида нима айтилмади", "Бозордаги тунги рейд", "Жаладан кейинги йўллар", "Янги савдо маркази кимники"],
        [Tongue.Tajik] = ["Нархи об дар {city}", "Мусоҳиба бо муаллими аз кор рондашуда", "Дар муҳокимаи буҷа чӣ гуфта нашуд", "Рейди шабона дар бозор", "Роҳҳо пас аз борон", "Маркази нави савдо аз они кист"],
        [Tongue.Turkmen] = ["{city} şäherinde suwuň bahasy", "Işden çykarylan mugallym bilen söhbetdeşlik", "Býujet diňlenişiginde näme aýdylmady", "Bazardaky gijeki barlag", "Ýagyşdan soňky ýollar", "Täze söwda merkezi kimiňki"],
    };

    public static string Title(Tongue tongue, string city, Random rng)
    {
        var topics = Topics[tongue];
        string title = topics[rng.Next(topics.Length)].Replace("{city}", city);
        return rng.NextDouble() < 0.3 ? $"{title} ({rng.Next(2, 40)})" : title;
    }

    /// <summary>Pieces of the complaints ordinary people send about one post, which platforms forward: one of each, in order.</summary>
    private static readonly Dictionary<Tongue, string[][]> Complaint = new()
    {
        [Tongue.English] =
        [
            ["I am writing about a post on this account.", "Please look at the material linked below.", "This is my second complaint about the same channel."],
            ["It shows my face without my consent.", "It uses a song I recorded.", "It repeats claims about my family that are untrue.", "It contains footage from our wedding."],
            ["Kindly remove it.", "I would like it taken down as soon as possible.", "Please stop it from being shared further."],
        ],
        [Tongue.Russian] =
        [
            ["Обращаюсь по поводу публикации в этом аккаунте.", "Прошу обратить внимание на материал по ссылке.", "Это уже вторая моя жалоба на этот канал.", "Пишу от имени нашей семьи."],
            ["На видео без моего согласия показано моё лицо.", "В ролике использована песня, которую записал я.", "Там повторяются неправдивые сведения о моих родственниках.", "В материале использованы кадры с нашей свадьбы.", "Фотографии взяты с моей страницы."],
            ["Прошу удалить.", "Прошу убрать материал как можно скорее.", "Прошу принять меры.", "Надеюсь на ваше понимание."],
        ],
        [Tongue.Kazakh] =
        [
            ["Осы аккаунттағы жарияланым туралы жазып отырмын.", "Сілтемедегі материалға назар аударуыңызды сұраймын."],
            ["Бейнеде менің келісімімсіз бетім көрсетілген.", "Роликте мен жазған ән пайдаланылған.", "Туыстарым туралы жалған мәліметтер бар."],
            ["Жоюыңызды сұраймын.", "Шара қолдануыңызды өтінемін."],
        ],
        [Tongue.UzbekLatin] =
        [
            ["Ushbu akkauntdagi nashr haqida yozyapman.", "Havoladagi materialga e'tibor berishingizni so'rayman."],
            ["Videoda roziligimsiz yuzim ko'rsatilgan.", "Rolikda men yozgan qo'shiq ishlatilgan.", "Qarindoshlarim haqida yolg'on gaplar bor."],
            ["O'chirishingizni so'rayman.", "Chora ko'rishingizni iltimos qilaman."],
        ],
    };

    public static string OrdinaryComplaint(Tongue tongue, Random rng)
    {
        var parts = Complaint.GetValueOrDefault(tongue) ?? Complaint[Tongue.Russian];
        return string.Join(" ", parts.Select(p => p[rng.Next(p.Length)]));
    }

    /// <summary>The kinds of bogus complaint a campaign sends, each with its ground category.</summary>
    public enum Kind { Copyright, Extremism, Impersonation, Defamation }

    public static GroundCategory Category(Kind kind) => kind switch
    {
        Kind.Copyright => GroundCategory.IntellectualProperty,
        Kind.Extremism => GroundCategory.CommunityStandards,
        Kind.Impersonation => GroundCategory.Impersonation,
        _ => GroundCategory.LegalRequest,
    };

    /// <summary>Campaign templates: {url} is the target's item, {work} and {domain} are the campaign's own.</summary>
    private static readonly Dictionary<(Kind, Tongue), string> Campaign = new()
    {
        [(Kind.Copyright, Tongue.English)] = "I am the owner of the exclusive rights to the video \"{work}\". The channel at {url} has uploaded a copy of it without any licence from me. The footage was filmed by our crew and first published on {domain}. Please take this material down under your copyright policy. I declare in good faith that this use is not authorised.",
        [(Kind.Copyright, Tongue.Russian)] = "Я являюсь обладателем исключительных прав на видеоролик «{work}». По ссылке {url} размещена его копия без нашего согласия. Съёмка выполнена нашей редакцией и впервые опубликована на {domain}. Прошу удалить данный материал в соответствии с правилами об авторском праве. Подтверждаю, что сведения в жалобе достоверны.",
        [(Kind.Copyright, Tongue.Kazakh)] = "Мен «{work}» бейнежазбасына айрықша құқықтың иесімін. {url} сілтемесінде оның көшірмесі біздің рұқсатымызсыз жарияланған. Түсірілімді біздің топ жасаған және ол алғаш рет {domain} сайтында шыққан. Авторлық құқық ережелеріне сәйкес бұл материалды жоюыңызды сұраймын. Шағымдағы мәліметтердің дұрыстығын растаймын.",
        [(Kind.Copyright, Tongue.Kyrgyz)] = "Мен «{work}» видеосуна өзгөчө укуктун ээсимин. {url} шилтемесинде анын көчүрмөсү биздин уруксатыбызсыз жайгаштырылган. Тартууну биздин топ жасаган жана ал биринчи жолу {domain} сайтында чыккан. Автордук укук эрежелерине ылайык бул материалды өчүрүүңүздү суранам. Арыздагы маалыматтардын тууралыгын ырастайм.",
        [(Kind.Copyright, Tongue.UzbekLatin)] = "Men «{work}» videosiga mutlaq huquq egasiman. {url} manzilida uning nusxasi bizning ruxsatimizsiz joylashtirilgan. Suratga olish ishlarini jamoamiz bajargan va video ilk bor {domain} saytida e'lon qilingan. Mualliflik huquqi qoidalariga ko'ra ushbu materialni o'chirishingizni so'rayman. Shikoyatdagi ma'lumotlar to'g'riligini tasdiqlayman.",
        [(Kind.Copyright, Tongue.UzbekCyrillic)] = "Мен «{work}» видеосига мутлақ ҳуқуқ эгасиман. {url} манзилида унинг нусхаси бизнинг рухсатимизсиз жойлаштирилган. Суратга олиш ишларини жамоамиз бажарган ва видео илк бор {domain} сайтида эълон қилинган. Муаллифлик ҳуқуқи қоидаларига кўра ушбу материални ўчиришингизни сўрайман. Шикоятдаги маълумотлар тўғрилигини тасдиқлайман.",
        [(Kind.Copyright, Tongue.Tajik)] = "Ман соҳиби ҳуқуқи истисноӣ ба навори «{work}» мебошам. Дар суроғаи {url} нусхаи он бе иҷозати мо ҷойгир карда шудааст. Наворро гурӯҳи мо сабт кардааст ва бори аввал дар {domain} нашр шудааст. Хоҳиш мекунам, ки мутобиқи қоидаҳои ҳуқуқи муаллиф ин маводро нест кунед. Дурустии маълумоти шикоятро тасдиқ мекунам.",
        [(Kind.Copyright, Tongue.Turkmen)] = "Men «{work}» wideosyna aýratyn hukugyň eýesidirin. {url} salgysynda onuň nusgasy biziň rugsadymyz bolmazdan ýerleşdirildi. Surata düşürişi biziň toparymyz ýerine ýetirdi we ol ilkinji gezek {domain} saýtynda çap edildi. Awtorlyk hukugy düzgünlerine laýyklykda bu materialy aýyrmagyňyzy haýyş edýärin. Arzadaky maglumatlaryň dogrudygyny tassyklaýaryn.",

        [(Kind.Extremism, Tongue.English)] = "This account keeps spreading calls to unrest and deliberately false statements about state bodies. The post at {url} stirs up hatred against police officers and misleads thousands of readers about \"{work}\". Such content endangers public order. We ask you to remove it and to block the author for repeated violations.",
        [(Kind.Extremism, Tongue.Russian)] = "Данный аккаунт систематически распространяет призывы к беспорядкам и заведомо ложную информацию о государственных органах. Публикация {url} разжигает вражду к сотрудникам полиции и вводит подписчиков в заблуждение насчёт «{work}». Такой контент угрожает общественному порядку. Просим удалить материал и заблокировать автора за неоднократные нарушения.",
        [(Kind.Extremism, Tongue.Kazakh)] = "Бұл аккаунт тәртіпсіздікке шақыратын және мемлекеттік органдар туралы әдейі жалған ақпарат таратады. {url} жарияланымы полиция қызметкерлеріне қарсы өшпенділік тудырып, оқырмандарды «{work}» туралы адастырады. Мұндай мазмұн қоғамдық тәртіпке қауіп төндіреді. Материалды жойып, авторды бірнеше рет ереже бұзғаны үшін бұғаттауды сұраймыз.",
        [(Kind.Extremism, Tongue.Kyrgyz)] = "Бул аккаунт башаламандыкка чакырган жана мамлекеттик органдар тууралуу атайылап жалган маалымат таратат. {url} жарыялоосу милиция кызматкерлерине каршы кастыкты козгоп, окурмандарды «{work}» боюнча адаштырат. Мындай мазмун коомдук тартипке коркунуч туудурат. Материалды өчүрүп, авторду бир нече жолу эрежени бузгандыгы үчүн бөгөттөөнү суранабыз.",
        [(Kind.Extremism, Tongue.UzbekLatin)] = "Ushbu akkaunt tartibsizlikka chaqiruvlar va davlat organlari haqida ataylab yolg'on ma'lumot tarqatmoqda. {url} nashri politsiya xodimlariga nisbatan adovat uyg'otadi va obunachilarni «{work}» haqida chalg'itadi. Bunday kontent jamoat tartibiga tahdid soladi. Materialni o'chirib, muallifni qoidalarni bir necha bor buzgani uchun bloklashingizni so'raymiz.",
        [(Kind.Extremism, Tongue.UzbekCyrillic)] = "Ушбу аккаунт тартибсизликка чақирувлар ва давлат органлари ҳақида атайлаб ёлғон маълумот тарқатмоқда. {url} нашри полиция ходимларига нисбатан адоват уйғотади ва обуначиларни «{work}» ҳақида чалғитади. Бундай контент жамоат тартибига таҳдид солади. Материални ўчириб, муаллифни қоидаларни бир неча бор бузгани учун блоклашингизни сўраймиз.",
        [(Kind.Extremism, Tongue.Tajik)] = "Ин ҳисоб даъват ба бетартибӣ ва маълумоти қасдан дурӯғро дар бораи мақомоти давлатӣ паҳн мекунад. Нашри {url} нисбат ба кормандони милитсия адоват барангехта, хонандагонро дар бораи «{work}» гумроҳ мекунад. Чунин мундариҷа ба тартиботи ҷамъиятӣ таҳдид мекунад. Хоҳиш менамоем, ки маводро нест карда, муаллифро барои вайронкунии такрорӣ маҳдуд созед.",
        [(Kind.Extremism, Tongue.Turkmen)] = "Bu hasap bidüzgünçilige çagyryşlary we döwlet edaralary barada bilkastlaýyn ýalan maglumatlary ýaýradýar. {url} neşiri polisiýa işgärlerine garşy duşmançylyk döredýär we okyjylary «{work}» barada ýalňyşdyrýar. Şeýle mazmun jemgyýetçilik tertibine howp salýar. Materialy aýyryp, awtory düzgünleri birnäçe gezek bozandygy üçin petiklemegiňizi haýyş edýäris.",

        [(Kind.Impersonation, Tongue.English)] = "The profile {url} is pretending to be me. It uses my name, my photographs and my biography without permission and writes to my contacts asking for money for \"{work}\". I have never created or authorised this page. Please remove it before more people are deceived.",
        [(Kind.Impersonation, Tongue.Russian)] = "Профиль {url} выдаёт себя за меня. Там без разрешения используются моё имя, мои фотографии и биография, а от моего имени пишут знакомым и просят денег на «{work}». Я не создавал эту страницу и не давал на неё согласия. Прошу удалить её, пока не пострадали другие люди.",
        [(Kind.Impersonation, Tongue.Kazakh)] = "{url} профилі менің атымды жамылып жүр. Онда рұқсатсыз менің есімім, суреттерім мен өмірбаяным пайдаланылады, таныстарыма «{work}» үшін ақша сұрап хат жазады. Мен бұл парақшаны ашқан жоқпын және оған келісім бермедім. Басқа адамдар алданбас үшін оны жоюыңызды сұраймын.",
        [(Kind.Impersonation, Tongue.Kyrgyz)] = "{url} профили менин атымды жамынып жүрөт. Анда уруксатсыз менин атым, сүрөттөрүм жана өмүр баяным колдонулат, тааныштарыма «{work}» үчүн акча сурап кат жазышат. Мен бул баракчаны ачкан жокмун жана ага макулдук берген эмесмин. Башка адамдар алданбашы үчүн аны өчүрүүңүздү суранам.",
        [(Kind.Impersonation, Tongue.UzbekLatin)] = "{url} profili o'zini men deb ko'rsatmoqda. Unda ruxsatsiz mening ismim, suratlarim va tarjimai holim ishlatilgan, tanishlarimga «{work}» uchun pul so'rab yozishmoqda. Men bu sahifani ochmaganman va unga rozilik bermaganman. Boshqalar aldanmasligi uchun uni o'chirishingizni so'rayman.",
        [(Kind.Impersonation, Tongue.UzbekCyrillic)] = "{url} профили ўзини мен деб кўрсатмоқда. Унда рухсатсиз менинг исмим, суратларим ва таржимаи ҳолим ишлатилган, танишларимга «{work}» учун пул сўраб ёзишмоқда. Мен бу саҳифани очмаганман ва унга розилик бермаганман. Бошқалар алданмаслиги учун уни ўчиришингизни сўрайман.",
        [(Kind.Impersonation, Tongue.Tajik)] = "Профили {url} худро ба ҷои ман муаррифӣ мекунад. Дар он бе иҷозат ному суратҳо ва тарҷумаи ҳоли ман истифода шудаанд ва аз номи ман ба шиносҳоям барои «{work}» пул талаб мекунанд. Ман ин саҳифаро насохтаам ва ба он розигӣ надодаам. Лутфан онро нест кунед, то дигарон фиреб нахӯранд.",
        [(Kind.Impersonation, Tongue.Turkmen)] = "{url} profili özüni meniň adymdan görkezýär. Onda rugsatsyz meniň adym, suratlarym we terjimehalym ulanylýar, tanyşlaryma «{work}» üçin pul soraýan hatlar ýazylýar. Men bu sahypany açmadym we oňa razylyk bermedim. Başgalar aldanmazlygy üçin ony aýyrmagyňyzy haýyş edýärin.",

        [(Kind.Defamation, Tongue.English)] = "The video at {url} contains false statements about \"{work}\" that damage the honour and business reputation of our company. A claim to the court is being prepared. Under the law on the protection of reputation we demand that the material be removed within 24 hours. Our lawyers are ready to provide further documents.",
        [(Kind.Defamation, Tongue.Russian)] = "Видео по ссылке {url} содержит не соответствующие действительности сведения о «{work}», порочащие честь, достоинство и деловую репутацию нашей компании. Готовится исковое заявление в суд. На основании законодательства о защите деловой репутации требуем удалить материал в течение 24 часов. Наши юристы готовы предоставить дополнительные документы.",
        [(Kind.Defamation, Tongue.Kazakh)] = "{url} сілтемесіндегі бейнеде «{work}» туралы компаниямыздың ар-намысы мен іскерлік беделіне нұқсан келтіретін жалған мәліметтер бар. Сотқа талап арыз дайындалуда. Іскерлік беделді қорғау туралы заңнамаға сәйкес материалды 24 сағат ішінде жоюды талап етеміз. Заңгерлеріміз қосымша құжаттарды ұсынуға дайын.",
        [(Kind.Defamation, Tongue.Kyrgyz)] = "{url} шилтемесиндеги видеодо «{work}» тууралуу компаниябыздын ар-намысына жана иштиктүү беделине шек келтирген жалган маалыматтар бар. Сотко доо арыз даярдалууда. Иштиктүү беделди коргоо жөнүндөгү мыйзамга ылайык материалды 24 сааттын ичинде өчүрүүнү талап кылабыз. Юристтерибиз кошумча документтерди берүүгө даяр.",
        [(Kind.Defamation, Tongue.UzbekLatin)] = "{url} manzilidagi videoda «{work}» haqida kompaniyamizning sha'ni va ishchanlik obro'siga putur yetkazuvchi yolg'on ma'lumotlar bor. Sudga da'vo arizasi tayyorlanmoqda. Ishchanlik obro'sini himoya qilish to'g'risidagi qonunga muvofiq materialni 24 soat ichida o'chirishni talab qilamiz. Yuristlarimiz qo'shimcha hujjatlarni taqdim etishga tayyor.",
        [(Kind.Defamation, Tongue.UzbekCyrillic)] = "{url} манзилидаги видеода «{work}» ҳақида компаниямизнинг шаъни ва ишчанлик обрўсига путур етказувчи ёлғон маълумотлар бор. Судга даъво аризаси тайёрланмоқда. Ишчанлик обрўсини ҳимоя қилиш тўғрисидаги қонунга мувофиқ материални 24 соат ичида ўчиришни талаб қиламиз. Юристларимиз қўшимча ҳужжатларни тақдим этишга тайёр.",
        [(Kind.Defamation, Tongue.Tajik)] = "Навор дар суроғаи {url} дар бораи «{work}» маълумоти бардурӯғ дорад, ки ба шаъну шараф ва обрӯи кории ширкати мо зарар мерасонад. Аризаи даъвогӣ ба суд омода мешавад. Тибқи қонун дар бораи ҳифзи обрӯи корӣ талаб мекунем, ки мавод дар давоми 24 соат нест карда шавад. Ҳуқуқшиносони мо барои пешниҳоди ҳуҷҷатҳои иловагӣ омодаанд.",
        [(Kind.Defamation, Tongue.Turkmen)] = "{url} salgysyndaky wideoda «{work}» barada kompaniýamyzyň abraýyna we işewür adyna zyýan ýetirýän ýalan maglumatlar bar. Suda talap arzasy taýýarlanýar. Işewür abraýy goramak hakyndaky kanuna laýyklykda materialy 24 sagadyň içinde aýyrmagy talap edýäris. Hukukçylarymyz goşmaça resminamalary bermäge taýýar.",
    };

    public static string CampaignTemplate(Kind kind, Tongue tongue) => Campaign[(kind, tongue)];

    /// <summary>Words an editor puts in or swaps for others when rewording a campaign's copies.</summary>
    public static readonly Dictionary<Tongue, string[]> Fillers = new()
    {
        [Tongue.English] = ["also", "clearly", "again", "urgently", "certainly", "this", "our", "entire", "obviously", "fully", "publicly", "still"],
        [Tongue.Russian] = ["также", "явно", "снова", "срочно", "безусловно", "этот", "весь", "полностью", "публично", "всё ещё", "очевидно", "наш"],
        [Tongue.Kazakh] = ["сондай-ақ", "анық", "тағы", "шұғыл", "әрине", "бұл", "толық", "жария", "әлі", "біздің"],
        [Tongue.Kyrgyz] = ["ошондой эле", "ачык", "дагы", "шашылыш", "албетте", "бул", "толук", "ачыктан-ачык", "дале", "биздин"],
        [Tongue.UzbekLatin] = ["shuningdek", "aniq", "yana", "zudlik bilan", "albatta", "bu", "to'liq", "ochiqdan-ochiq", "hali", "bizning"],
        [Tongue.UzbekCyrillic] = ["шунингдек", "аниқ", "яна", "зудлик билан", "албатта", "бу", "тўлиқ", "очиқдан-очиқ", "ҳали", "бизнинг"],
        [Tongue.Tajik] = ["инчунин", "возеҳ", "боз", "фавран", "албатта", "ин", "пурра", "ошкоро", "ҳанӯз", "мо"],
        [Tongue.Turkmen] = ["şeýle hem", "aýdyň", "ýene", "gyssagly", "elbetde", "bu", "doly", "aç-açan", "entek", "biziň"],
    };

    /// <summary>Titles a campaign's claimed work may carry.</summary>
    public static readonly string[] Works =
    [
        "Steppe Chronicle", "Dala Sazy", "Altyn Kyrgak", "Ipak Yo'li Kechalari", "Tau Samaly", "Koktem Ertegi", "Nurly Kyzdar", "Samal Studio Live",
        "Oltin Vodiy", "Sary Tolkyn", "Kumis Ai", "Zhetisu Diaries", "Pamir Voices", "Karakum Road", "Aral Wind", "Bazaar Stories",
    ];
}
