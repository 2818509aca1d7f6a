using Takedowns.Contracts;

namespace Takedowns.Scenarios.FamilyB;

/// <summary>The languages and scripts family B writes notices in.</summary>
public enum Language { En, Ru, Kk, Ky, UzLatin, UzCyrillic, Tg, Tk }

/// <summary>
/// A platform notice as a reporter pastes it: fixed wording with slots ({claimant}, {work}, {url}, {ref}, {date},
/// {law}, {agency}, {policy}) filled for each takedown.
/// </summary>
public sealed record NoticeTemplate(string Id, Language Language, GroundCategory Category, string Text);

/// <summary>
/// Family B's notice wording, written for it alone: copyright, community-standards, government-request, court,
/// impersonation and spam notices in English, Russian, Kazakh, Kyrgyz, Uzbek (Latin and Cyrillic), Tajik and Turkmen,
/// and the complaint sentences campaigns are assembled from.
/// </summary>
public static class Notices
{
    public static readonly IReadOnlyList<NoticeTemplate> Templates =
    [
        // English: what the large platforms send, whatever the reporter's language.
        new("en-ip-removed", Language.En, GroundCategory.IntellectualProperty,
            "We have removed your video \"{work}\" following a copyright complaint submitted by {claimant}. Reference {ref}. If you believe this was a mistake, you may submit a counter notification through the copyright centre."),
        new("en-ip-dmca", Language.En, GroundCategory.IntellectualProperty,
            "This content has been disabled in response to a notice under the Digital Millennium Copyright Act from {claimant}, who states that they own the rights to the original at {url}. Case number {ref}."),
        new("en-ip-strike", Language.En, GroundCategory.IntellectualProperty,
            "Copyright strike: {claimant} claims that your upload of {date} reproduces their work \"{work}\" without permission. Three strikes within 90 days will result in termination of your channel."),
        new("en-ip-infringement", Language.En, GroundCategory.IntellectualProperty,
            "Notice of infringement {ref}: the rights holder {claimant} reports that material published on this account copies the original at {url}. The material has been taken down."),
        new("en-ip-contentid", Language.En, GroundCategory.IntellectualProperty,
            "Content ID match: {claimant} has blocked your video in all territories. Matched content: \"{work}\". You can dispute the claim if you have the rights to use this content."),
        new("en-cs-removed", Language.En, GroundCategory.CommunityStandards,
            "Your post was removed because it goes against our Community Standards on {policy}. We have restricted some features of your account for 30 days."),
        new("en-cs-suspended", Language.En, GroundCategory.CommunityStandards,
            "We reviewed your account and found activity that violates our rules against {policy}. Your account has been suspended. You can appeal this decision within 180 days."),
        new("en-cs-flagged", Language.En, GroundCategory.CommunityStandards,
            "Your content was flagged by other users and reviewed by our team. It violates the guideline on {policy} and is no longer visible to other people."),
        new("en-cs-strike", Language.En, GroundCategory.CommunityStandards,
            "Your channel has received a Community Guidelines strike for {policy}. The video \"{work}\" was removed on {date}. You will not be able to upload for one week."),
        new("en-gov-withheld", Language.En, GroundCategory.GovernmentRequest,
            "In response to a legal demand from {agency}, access to this content has been restricted in your country. The request cites {law}."),
        new("en-gov-account", Language.En, GroundCategory.GovernmentRequest,
            "We have withheld this account in the requesting country in response to a legal demand. Reference: {ref}. The account remains visible elsewhere."),
        new("en-legal-court", Language.En, GroundCategory.LegalRequest,
            "A court order {ref} obtained by {claimant} requires us to remove the material at {url} on grounds of defamation."),
        new("en-legal-privacy", Language.En, GroundCategory.LegalRequest,
            "We received a privacy complaint from {claimant} concerning personal information in your post of {date}. The post has been removed under applicable data protection law."),
        new("en-imp", Language.En, GroundCategory.Impersonation,
            "Your account was reported for impersonating {claimant}. Accounts that pretend to be another person or organisation are not allowed and have been disabled."),
        new("en-spam", Language.En, GroundCategory.Spam,
            "We removed your post because it looks like spam or contains misleading links. Repeated violations may lead to permanent suspension of the account."),

        // Russian.
        new("ru-ip-removed", Language.Ru, GroundCategory.IntellectualProperty,
            "Ваше видео «{work}» удалено по жалобе правообладателя {claimant} о нарушении авторских прав. Номер обращения {ref}."),
        new("ru-ip-copy", Language.Ru, GroundCategory.IntellectualProperty,
            "Поступило уведомление от {claimant}: размещённый вами материал копирует оригинал по адресу {url}. Материал снят с публикации {date}."),
        new("ru-gov", Language.Ru, GroundCategory.GovernmentRequest,
            "Доступ к материалу ограничен на территории страны по требованию {agency} в соответствии с {law}."),
        new("ru-cs", Language.Ru, GroundCategory.CommunityStandards,
            "Ваша публикация удалена, так как нарушает правила сообщества ({policy}). Некоторые функции аккаунта временно ограничены."),
        new("ru-imp", Language.Ru, GroundCategory.Impersonation,
            "Аккаунт заблокирован за выдачу себя за {claimant}. Вы можете обжаловать это решение в течение 30 дней."),
        new("ru-spam", Language.Ru, GroundCategory.Spam,
            "Публикация удалена как спам: обнаружены повторяющиеся ссылки и массовая рассылка сообщений."),
        new("ru-legal", Language.Ru, GroundCategory.LegalRequest,
            "По решению суда {ref} по иску {claimant} о защите чести и достоинства материал по адресу {url} удалён."),

        // Kazakh.
        new("kk-ip", Language.Kk, GroundCategory.IntellectualProperty,
            "Сіздің «{work}» бейнеңіз {claimant} авторлық құқық иесінің шағымы бойынша жойылды. Өтініш нөмірі {ref}."),
        new("kk-gov", Language.Kk, GroundCategory.GovernmentRequest,
            "{agency} талабы бойынша бұл материалға Қазақстан аумағында қолжетімділік шектелді ({law})."),
        new("kk-cs", Language.Kk, GroundCategory.CommunityStandards,
            "Жарияланымыңыз қауымдастық ережелерін бұзғаны үшін өшірілді ({policy}). Аккаунттың кейбір мүмкіндіктері уақытша шектелді."),

        // Kyrgyz.
        new("ky-ip", Language.Ky, GroundCategory.IntellectualProperty,
            "Сиздин «{work}» видеоңуз {claimant} автордук укук ээсинин арызы боюнча өчүрүлдү. Кайрылуунун номери {ref}."),
        new("ky-gov", Language.Ky, GroundCategory.GovernmentRequest,
            "{agency} талабы боюнча бул материалга Кыргызстандын аймагында жетүү чектелди ({law})."),

        // Uzbek, Latin script (apostrophes vary by keyboard; see LookAlikes.Apostrophes).
        new("uzl-ip", Language.UzLatin, GroundCategory.IntellectualProperty,
            "Sizning «{work}» videongiz mualliflik huquqi egasi {claimant} shikoyati asosida o'chirildi. Murojaat raqami {ref}."),
        new("uzl-gov", Language.UzLatin, GroundCategory.GovernmentRequest,
            "{agency} talabiga ko'ra ushbu material O'zbekiston hududida cheklandi ({law})."),
        new("uzl-cs", Language.UzLatin, GroundCategory.CommunityStandards,
            "Hisobingiz jamoa qoidalarini buzgani uchun vaqtincha bloklandi ({policy}). Qarorga shikoyat qilishingiz mumkin."),

        // Uzbek, Cyrillic script.
        new("uzc-ip", Language.UzCyrillic, GroundCategory.IntellectualProperty,
            "Сизнинг «{work}» видеонгиз муаллифлик ҳуқуқи эгаси {claimant} шикояти асосида ўчирилди. Мурожаат рақами {ref}."),
        new("uzc-gov", Language.UzCyrillic, GroundCategory.GovernmentRequest,
            "{agency} талабига кўра ушбу материал Ўзбекистон ҳудудида чекланди ({law})."),

        // Tajik.
        new("tg-ip", Language.Tg, GroundCategory.IntellectualProperty,
            "Навори шумо «{work}» бо шикояти {claimant} дар бораи вайрон кардани ҳуқуқи муаллиф нест карда шуд. Рақами муроҷиат {ref}."),
        new("tg-gov", Language.Tg, GroundCategory.GovernmentRequest,
            "Бо талаби {agency} дастрасӣ ба ин мавод дар ҳудуди Тоҷикистон маҳдуд карда шуд ({law})."),

        // Turkmen.
        new("tk-ip", Language.Tk, GroundCategory.IntellectualProperty,
            "Siziň «{work}» wideoňyz awtorlyk hukugynyň eýesi {claimant} tarapyndan berlen şikaýat esasynda aýryldy. Ýüzlenmäniň belgisi {ref}."),
        new("tk-gov", Language.Tk, GroundCategory.GovernmentRequest,
            "{agency} talaby boýunça bu material Türkmenistanyň çäginde çäklendirildi ({law})."),
        new("tk-cs", Language.Tk, GroundCategory.CommunityStandards,
            "Hasabyňyz jemgyýetçilik düzgünlerini bozandygy üçin wagtlaýyn petiklendi ({policy})."),
    ];

    /// <summary>How a platform wraps a complaint it forwards, per language; campaigns put their complaint in {complaint}.</summary>
    public static readonly IReadOnlyDictionary<Language, string> Forwarded = new Dictionary<Language, string>
    {
        [Language.En] = "We received the following complaint from {claimant} about your content and have removed it. Complaint: \"{complaint}\"",
        [Language.Ru] = "Мы получили жалобу от {claimant} и удалили ваш материал. Текст жалобы: «{complaint}»",
        [Language.Kk] = "{claimant} атынан шағым түсті, материалыңыз жойылды. Шағым мәтіні: «{complaint}»",
        [Language.Ky] = "{claimant} тараптан арыз келип түштү, материалыңыз өчүрүлдү. Арыздын тексти: «{complaint}»",
        [Language.UzLatin] = "{claimant} tomonidan shikoyat kelib tushdi va materialingiz o'chirildi. Shikoyat matni: «{complaint}»",
        [Language.UzCyrillic] = "{claimant} томонидан шикоят келиб тушди ва материалингиз ўчирилди. Шикоят матни: «{complaint}»",
        [Language.Tg] = "Аз ҷониби {claimant} шикоят ворид шуд ва маводи шумо нест карда шуд. Матни шикоят: «{complaint}»",
        [Language.Tk] = "{claimant} tarapyndan şikaýat gelip gowuşdy we materialyňyz aýryldy. Şikaýatyň teksti: «{complaint}»",
    };

    /// <summary>Sentences bogus complaints are made of, per language; {entity}, {place} and {date} are filled per campaign.</summary>
    public static readonly IReadOnlyDictionary<Language, string[]> Complaint = new Dictionary<Language, string[]>
    {
        [Language.En] =
        [
            "This channel republishes our reporting without a licence and passes it off as its own work.",
            "The author uses footage filmed by our crew at the {place} press conference on {date}.",
            "The account spreads knowingly false information that damages the business reputation of {entity}.",
            "These materials contain calls to unrest and were found extremist by a court decision of {date}.",
            "The photographs in this post were taken by our staff photographer and are protected by copyright.",
            "We demand the immediate removal of all videos that mention {entity} and its management.",
            "The page impersonates our official media outlet and misleads its readers about who runs it.",
            "The publication violates the privacy of our employees and discloses their personal data.",
        ],
        [Language.Ru] =
        [
            "Данный канал незаконно использует материалы нашей редакции без разрешения правообладателя.",
            "Автор распространяет заведомо ложную информацию, порочащую деловую репутацию {entity}.",
            "Видеозапись снята нашим оператором на пресс-конференции в городе {place} {date} и охраняется авторским правом.",
            "Публикации содержат призывы к массовым беспорядкам, что прямо запрещено законом.",
            "Требуем немедленно удалить все материалы, упоминающие {entity} и её руководство.",
            "Страница выдаёт себя за официальное средство массовой информации и вводит читателей в заблуждение.",
            "Размещённые фотографии являются собственностью нашего информационного агентства.",
            "Материал раскрывает персональные данные наших сотрудников без их согласия.",
        ],
        [Language.Kk] =
        [
            "Бұл арна біздің редакцияның материалдарын рұқсатсыз пайдаланып, өз атынан жариялайды.",
            "Автор {entity} іскерлік беделіне нұқсан келтіретін жалған ақпарат таратады.",
            "Бейнежазбаны біздің операторымыз {place} қаласындағы баспасөз мәслихатында {date} түсірген.",
            "Жарияланымдарда жаппай тәртіпсіздікке шақырулар бар, бұл заңмен тыйым салынған.",
            "{entity} және оның басшылығы туралы барлық материалдарды дереу жоюды талап етеміз.",
            "Бұл парақша ресми бұқаралық ақпарат құралы атынан әрекет етіп, оқырмандарды адастырады.",
        ],
        [Language.Ky] =
        [
            "Бул канал биздин редакциянын материалдарын уруксатсыз колдонуп, өз атынан жарыялайт.",
            "Автор {entity} ишкердик беделине шек келтирген жалган маалымат таратууда.",
            "Видеону биздин оператор {place} шаарындагы маалымат жыйынында {date} тартып алган.",
            "Жарыяланган материалдарда массалык башаламандыкка чакырыктар бар.",
            "{entity} жана анын жетекчилиги тууралуу бардык материалдарды дароо өчүрүүнү талап кылабыз.",
            "Бул барак расмий массалык маалымат каражатынын атынан иш алып барып, окурмандарды адаштырат.",
        ],
        [Language.UzLatin] =
        [
            "Ushbu kanal tahririyatimiz materiallaridan ruxsatsiz foydalanib, ularni o'z nomidan e'lon qilmoqda.",
            "Muallif {entity} ishchanlik obro'siga putur yetkazuvchi yolg'on ma'lumot tarqatmoqda.",
            "Videoyozuv bizning operatorimiz tomonidan {place} shahridagi matbuot anjumanida {date} suratga olingan.",
            "Nashrlarda ommaviy tartibsizliklarga chaqiriqlar mavjud, bu qonun bilan taqiqlangan.",
            "{entity} va uning rahbariyati haqidagi barcha materiallarni zudlik bilan o'chirishni talab qilamiz.",
            "Sahifa rasmiy ommaviy axborot vositasi nomidan ish ko'rib, o'quvchilarni chalg'itmoqda.",
        ],
        [Language.UzCyrillic] =
        [
            "Ушбу канал таҳририятимиз материалларидан рухсатсиз фойдаланиб, уларни ўз номидан эълон қилмоқда.",
            "Муаллиф {entity} ишчанлик обрўсига путур етказувчи ёлғон маълумот тарқатмоқда.",
            "Видеоёзув бизнинг операторимиз томонидан {place} шаҳридаги матбуот анжуманида {date} суратга олинган.",
            "{entity} ва унинг раҳбарияти ҳақидаги барча материалларни зудлик билан ўчиришни талаб қиламиз.",
            "Саҳифа расмий оммавий ахборот воситаси номидан иш кўриб, ўқувчиларни чалғитмоқда.",
        ],
        [Language.Tg] =
        [
            "Ин канал маводҳои таҳририяти моро бе иҷозат истифода бурда, ба номи худ нашр мекунад.",
            "Муаллиф маълумоти бардурӯғеро паҳн мекунад, ки ба обрӯи корӣ {entity} зарар мерасонад.",
            "Наворро оператори мо дар нишасти матбуотӣ дар шаҳри {place} {date} сабт кардааст.",
            "Талаб мекунем, ки ҳамаи маводҳо дар бораи {entity} ва роҳбарияти он фавран нест карда шаванд.",
            "Саҳифа худро ҳамчун воситаи ахбори омаи расмӣ муаррифӣ карда, хонандагонро гумроҳ мекунад.",
        ],
        [Language.Tk] =
        [
            "Bu kanal redaksiýamyzyň materiallaryny rugsatsyz ulanyp, olary öz adyndan çap edýär.",
            "Awtor {entity} işewür abraýyna zyýan ýetirýän ýalan maglumatlary ýaýradýar.",
            "Wideoýazgy biziň operatorymyz tarapyndan {place} şäherindäki metbugat ýygnagynda {date} düşürildi.",
            "{entity} we onuň ýolbaşçylary barada ähli materiallary derrew aýyrmagy talap edýäris.",
            "Bu sahypa resmi köpçülikleýin habar beriş serişdesiniň adyndan hereket edip, okyjylary ýalňyşdyrýar.",
        ],
    };

    /// <summary>What reporters sometimes add below a pasted notice, per language.</summary>
    public static readonly IReadOnlyDictionary<Language, string[]> ReporterNotes = new Dictionary<Language, string[]>
    {
        [Language.En] = ["This is the second notice this month.", "No warning before removal.", "Appeal filed the same day."],
        [Language.Ru] = ["Это уже второе уведомление за месяц.", "Предупреждения не было.", "Апелляцию подали в тот же день."],
        [Language.Kk] = ["Бұл айдағы екінші хабарлама.", "Ескертусіз жойылды."],
        [Language.Ky] = ["Бул айдагы экинчи билдирүү.", "Эскертүүсүз өчүрүлдү."],
        [Language.UzLatin] = ["Bu oy ichidagi ikkinchi xabar.", "Ogohlantirishsiz o'chirildi."],
        [Language.UzCyrillic] = ["Бу ой ичидаги иккинчи хабар.", "Огоҳлантиришсиз ўчирилди."],
        [Language.Tg] = ["Ин огоҳиномаи дуюм дар ин моҳ аст.", "Бе огоҳӣ нест карда шуд."],
        [Language.Tk] = ["Bu aýdaky ikinji habarnama.", "Duýduryşsyz aýryldy."],
    };

    /// <summary>The languages notices come in per country (English, from the platforms, everywhere).</summary>
    public static Language[] LanguagesOf(string country) => country switch
    {
        "KZ" => [Language.En, Language.Ru, Language.Kk],
        "KG" => [Language.En, Language.Ru, Language.Ky],
        "UZ" => [Language.En, Language.Ru, Language.UzLatin, Language.UzCyrillic],
        "TJ" => [Language.En, Language.Ru, Language.Tg],
        "TM" => [Language.En, Language.Ru, Language.Tk],
        _ => [Language.En, Language.Ru],
    };

    /// <summary>Whether a language is written in Cyrillic.</summary>
    public static bool IsCyrillic(Language l) => l is Language.Ru or Language.Kk or Language.Ky or Language.UzCyrillic or Language.Tg;
}
