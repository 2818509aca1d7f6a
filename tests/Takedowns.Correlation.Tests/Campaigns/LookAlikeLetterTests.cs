using Takedowns.Contracts.Reports;
using Takedowns.Correlation.Campaigns;

namespace Takedowns.Correlation.Tests.Campaigns;

/// <summary>Notices disguised with look-alike letters, or written in another alphabet of the same language, still compare alike.</summary>
public sealed class LookAlikeLetterTests(ITestOutputHelper output)
{
    private const string English =
        "We have received a notice from the copyright owner that your video infringes their exclusive rights. The content has been " +
        "removed from your channel and a copyright strike has been applied to your account. Repeated infringements may lead to the " +
        "termination of your account. If you believe this notice was sent in error, you may submit a counter notification.";

    private const string EnglishCommunity =
        "Your post was reported for going against our Community Standards on dangerous individuals and organisations. We reviewed " +
        "the report and removed the post. Your account is now restricted from going live for 30 days. You can ask for another " +
        "review if you think we made a mistake.";

    private const string Russian =
        "Мы получили уведомление от правообладателя о том, что ваше видео нарушает его исключительные права. Материал удалён с " +
        "вашего канала, а на ваш аккаунт наложено предупреждение о нарушении авторских прав. Повторные нарушения могут привести к " +
        "блокировке аккаунта. Если вы считаете, что уведомление отправлено по ошибке, вы можете подать встречное уведомление.";

    // As a person would type it: BGN-style, ё as "yo", soft signs left out.
    private const string RussianInLatin =
        "My poluchili uvedomlenie ot pravoobladatelya o tom, chto vashe video narushaet ego isklyuchitelnye prava. Material udalyon s " +
        "vashego kanala, a na vash akkaunt nalozheno preduprezhdenie o narushenii avtorskikh prav. Povtornye narusheniya mogut privesti k " +
        "blokirovke akkaunta. Esli vy schitaete, chto uvedomlenie otpravleno po oshibke, vy mozhete podat vstrechnoe uvedomlenie.";

    private const string RussianCommunity =
        "Ваша публикация нарушает наши Нормы сообщества в отношении опасных людей и организаций. Мы проверили жалобу и удалили " +
        "публикацию. Теперь вы не можете проводить прямые эфиры в течение 30 дней. Если вы считаете, что мы ошиблись, запросите " +
        "повторную проверку.";

    private const string Kazakh =
        "Біз авторлық құқық иесінен сіздің бейнеңіз оның айрықша құқықтарын бұзатыны туралы хабарлама алдық. Материал арнаңыздан " +
        "жойылды және аккаунтыңызға авторлық құқықты бұзғаны үшін ескерту берілді. Қайталанған бұзушылықтар аккаунтты бұғаттауға " +
        "әкелуі мүмкін. Егер хабарлама қателікпен жіберілді деп санасаңыз, қарсы өтініш бере аласыз.";

    // The Kazakh Latin alphabet of 2021: ä ğ q ñ ö ū ü h ı ş ç, и and й both "i".
    private const string KazakhLatin =
        "Bız avtorlyq qūqyq iesınen sızdıñ beineñız onyñ airyqşa qūqyqtaryn būzatyny turaly habarlama aldyq. Material arnañyzdan " +
        "joiyldy jäne akkauntyñyzğa avtorlyq qūqyqty būzğany üşın eskertu berıldı. Qaitalanğan būzuşylyqtar akkauntty būğattauğa " +
        "äkeluı mümkın. Eger habarlama qatelıkpen jıberıldı dep sanasañyz, qarsy ötınış bere alasyz.";

    private const string Kyrgyz =
        "Биз автордук укук ээсинен сиздин видеоңуз анын өзгөчө укуктарын бузат деген билдирүү алдык. Материал каналыңыздан " +
        "өчүрүлдү жана аккаунтуңузга автордук укукту бузгандыгы үчүн эскертүү берилди. Кайталанган бузуулар аккаунттун " +
        "бөгөттөлүшүнө алып келиши мүмкүн. Эгер билдирүү жаңылыштык менен жөнөтүлдү деп эсептесеңиз, каршы арыз бере аласыз.";

    private const string KyrgyzLatin =
        "Biz avtorduk ukuk eesinen sizdin videoñuz anın özgöçö ukuktarın buzat degen bildirüü aldık. Material kanalıñızdan " +
        "öçürüldü jana akkauntuñuzga avtorduk ukuktu buzgandıgı üçün eskertüü berildi. Kaytalangan buzuular akkaunttun " +
        "bögöttölüşünö alıp kelişi mümkün. Eger bildirüü jañılıştık menen jönötüldü dep esepteseñiz, karşı arız bere alasız.";

    private const string Uzbek =
        "Ҳурматли фойдаланувчи! Биз сизнинг видеонгиз бўйича муаллифлик ҳуқуқи бузилганлиги ҳақида шикоят олдик. Шикоятчи " +
        "материалнинг мутлақ ҳуқуқ эгаси эканлигини таъкидлайди. Видео ўчирилди ва ҳисобингизга огоҳлантириш берилди. Агар бу " +
        "хато деб ҳисобласангиз, қарши билдиришнома юборишингиз мумкин.";

    // Uzbek Latin with the official turned comma (ʻ) and modifier apostrophe (ʼ).
    private const string UzbekLatin =
        "Hurmatli foydalanuvchi! Biz sizning videongiz boʻyicha mualliflik huquqi buzilganligi haqida shikoyat oldik. Shikoyatchi " +
        "materialning mutlaq huquq egasi ekanligini taʼkidlaydi. Video oʻchirildi va hisobingizga ogohlantirish berildi. Agar bu " +
        "xato deb hisoblasangiz, qarshi bildirishnoma yuborishingiz mumkin.";

    private const string UzbekCommunity =
        "Sizning postingiz xavfli shaxslar va tashkilotlar boʻyicha hamjamiyat qoidalariga zid deb topildi. Post oʻchirildi, " +
        "akkauntingizga 30 kun davomida jonli efir cheklovi qoʻyildi. Agar xato boʻlsa, qayta koʻrib chiqishni soʻrang.";

    private const string Tajik =
        "Мо аз соҳиби ҳуқуқи муаллиф огоҳинома гирифтем, ки видеои шумо ҳуқуқҳои истисноии ӯро вайрон мекунад. Мавод аз канали " +
        "шумо нест карда шуд ва ба ҳисоби шумо барои вайрон кардани ҳуқуқи муаллиф огоҳӣ дода шуд. Вайронкуниҳои такрорӣ " +
        "метавонанд ба басташавии ҳисоб оварда расонанд. Агар шумо фикр кунед, ки огоҳинома хато фиристода шудааст, метавонед " +
        "эътироз пешниҳод кунед.";

    private const string TajikLatin =
        "Mo az sohibi huquqi muallif ogohinoma giriftem, ki videoi shumo huquqhoi istisnoii ūro vayron mekunad. Mavod az kanali " +
        "shumo nest karda shud va ba hisobi shumo baroi vayron kardani huquqi muallif ogohī doda shud. Vayronkunihoi takrorī " +
        "metavonand ba bastashavii hisob ovarda rasonand. Agar shumo fikr kuned, ki ogohinoma khato firistoda shudaast, metavoned " +
        "eʼtiroz peshnihod kuned.";

    private const string TurkmenLatin =
        "Biz awtorlyk hukugynyň eýesinden wideoňyzyň onuň aýratyn hukuklaryny bozýandygy barada habarnama aldyk. Material " +
        "kanalyňyzdan aýryldy we hasabyňyza awtorlyk hukugyny bozandygy üçin duýduryş berildi. Gaýtalanýan bozulmalar " +
        "hasabyňyzyň ýapylmagyna getirip biler. Eger habarnama ýalňyşlyk bilen iberildi diýip hasaplasaňyz, garşy arza berip bilersiňiz.";

    // The same in the Turkmen Cyrillic alphabet (ә җ ң ө ү for ä j ň ö ü, й for ý, ы for y).
    private const string Turkmen =
        "Биз авторлык хукугының эйесинден видеоңызың онуң айратын хукукларыны бозйандыгы барада хабарнама алдык. Материал " +
        "каналыңыздан айрылды ве хасабыңыза авторлык хукугыны бозандыгы үчин дуйдурыш берилди. Гайталанйан бозулмалар " +
        "хасабыңызың йапылмагына гетирип билер. Егер хабарнама йалңышлык билен иберилди дийип хасапласаңыз, гаршы арза берип билерсиңиз.";

    /// <summary>Latin letters and their Cyrillic twins, as a copier swaps them (each way).</summary>
    private static readonly Dictionary<char, char> LatinToCyrillic = new()
    {
        ['a'] = 'а', ['c'] = 'с', ['e'] = 'е', ['o'] = 'о', ['p'] = 'р', ['x'] = 'х', ['y'] = 'у', ['i'] = 'і', ['j'] = 'ј',
        ['s'] = 'ѕ', ['h'] = 'һ', ['A'] = 'А', ['B'] = 'В', ['C'] = 'С', ['E'] = 'Е', ['H'] = 'Н', ['K'] = 'К', ['M'] = 'М',
        ['O'] = 'О', ['P'] = 'Р', ['T'] = 'Т', ['X'] = 'Х', ['Y'] = 'У',
    };

    private static readonly Dictionary<char, char> CyrillicToLatin = new()
    {
        ['а'] = 'a', ['е'] = 'e', ['о'] = 'o', ['р'] = 'p', ['с'] = 'c', ['у'] = 'y', ['х'] = 'x', ['і'] = 'i', ['һ'] = 'h',
        ['А'] = 'A', ['В'] = 'B', ['Е'] = 'E', ['К'] = 'K', ['М'] = 'M', ['Н'] = 'H', ['О'] = 'O', ['Р'] = 'P', ['С'] = 'C',
        ['Т'] = 'T', ['Х'] = 'X',
    };

    /// <summary>Every letter with a twin swapped for it in every <paramref name="every"/>-th word, starting at <paramref name="offset"/>.</summary>
    private static string Disguised(string text, int every, int offset = 0)
    {
        var words = text.Split(' ');
        for (int i = offset; i < words.Length; i += every)
            words[i] = new string(words[i].Select(c => LatinToCyrillic.TryGetValue(c, out char d) || CyrillicToLatin.TryGetValue(c, out d) ? d : c).ToArray());
        return string.Join(' ', words);
    }

    private static double Similarity(string a, string b) =>
        NoticeText.Jaccard(NoticeText.Shingles(NoticeText.Normalise(a)), NoticeText.Shingles(NoticeText.Normalise(b)));

    [Theory]
    [InlineData("paypal", "раураl")] // Cyrillic р, а, у
    [InlineData("scope", "ѕсоре")]
    [InlineData("m", "rn")]
    [InlineData("l", "1")]
    [InlineData("l", "I")]
    [InlineData("fi", "ﬁ")]
    [InlineData("a", "𝐚")] // mathematical bold
    [InlineData("X", "Χ")] // Greek capital chi
    [InlineData("'", "ʻ")]
    [InlineData("e\u0301", "é")]
    public void look_alikes_share_unicodes_confusable_skeleton(string prototype, string lookAlike)
    {
        Assert.Equal(ConfusableSkeleton.Of(prototype), ConfusableSkeleton.Of(lookAlike));
        Assert.Equal("15.0.0", ConfusableSkeleton.UnicodeVersion);
    }

    [Fact]
    public void letters_that_only_look_alike_to_some_readers_keep_their_own_skeletons()
    {
        Assert.NotEqual(ConfusableSkeleton.Of("book"), ConfusableSkeleton.Of("look"));
        Assert.NotEqual(ConfusableSkeleton.Of("и"), ConfusableSkeleton.Of("u"));
        Assert.NotEqual("table", "tаble"); // a Cyrillic а
        Assert.Equal(ConfusableSkeleton.Of("table"), ConfusableSkeleton.Of("tаble"));
    }

    [Fact]
    public void latin_words_with_cyrillic_look_alikes_fold_to_the_plain_words()
    {
        Assert.Equal(NoticeText.Normalise("The author"), NoticeText.Normalise("Thе аuthоr")); // Cyrillic е, а, о
        Assert.Equal(NoticeText.Normalise("account"), NoticeText.Normalise("ассоunt"));
        Assert.Equal(NoticeText.Normalise("The copy"), NoticeText.Normalise("Тһе сору")); // words wholly of Cyrillic twins, in a Latin line
        Assert.Equal(NoticeText.Normalise("copyright complaint"), NoticeText.Normalise("сорyright соmрlаint"));
    }

    [Fact]
    public void cyrillic_words_with_latin_look_alikes_fold_to_the_plain_words()
    {
        Assert.Equal(NoticeText.Normalise("аккаунт удалён"), NoticeText.Normalise("aккaунт удaлён"));
        Assert.Equal(NoticeText.Normalise("Настоящим сообщаем"), NoticeText.Normalise("Hacтoящим cooбщaeм")); // Latin H, a, c, o, e
        Assert.Equal(NoticeText.Normalise("ТОО Медиа Защита"), NoticeText.Normalise("TOO Meдиa Зaщитa"));
    }

    [Theory]
    [InlineData(English, 3)]
    [InlineData(English, 1)]
    [InlineData(Russian, 3)]
    [InlineData(Russian, 1)]
    [InlineData(Kazakh, 2)]
    [InlineData(Uzbek, 2)]
    [InlineData(UzbekLatin, 2)]
    [InlineData(Tajik, 2)]
    [InlineData(TurkmenLatin, 2)]
    public void a_notice_with_twins_swapped_in_normalises_as_the_original(string notice, int every)
    {
        string disguised = Disguised(notice, every);
        Assert.NotEqual(notice, disguised);
        Assert.Equal(NoticeText.Normalise(notice), NoticeText.Normalise(disguised));
        Assert.Equal(1, Similarity(notice, disguised));
    }

    [Theory]
    [InlineData(Russian, RussianInLatin, 0.9)]
    [InlineData(Kazakh, KazakhLatin, 0.9)]
    [InlineData(Kyrgyz, KyrgyzLatin, 0.9)]
    [InlineData(Uzbek, UzbekLatin, 0.9)]
    [InlineData(Tajik, TajikLatin, 0.9)]
    [InlineData(Turkmen, TurkmenLatin, 0.9)]
    public void a_notice_in_cyrillic_and_in_its_latin_alphabet_are_near_duplicates(string cyrillic, string latin, double atLeast)
    {
        double similarity = Similarity(cyrillic, latin);
        output.WriteLine($"{similarity:F3}: {NoticeText.Normalise(cyrillic)}\n       {NoticeText.Normalise(latin)}");
        Assert.True(similarity >= atLeast, $"similarity {similarity:F3}");
        Assert.True(Similarity(cyrillic, Disguised(latin, 2)) >= atLeast); // and disguised as well
    }

    [Theory]
    [InlineData("ʻ")] // U+02BB, the official letter
    [InlineData("'")]
    [InlineData("ʼ")]
    [InlineData("`")]
    [InlineData("’")]
    [InlineData("‘")]
    [InlineData("´")]
    public void uzbek_o_and_g_with_any_apostrophe_fold_as_the_cyrillic_letters(string apostrophe) =>
        Assert.Equal(NoticeText.Normalise("бўйича ғоя"), NoticeText.Normalise($"bo{apostrophe}yicha g{apostrophe}oya"));

    [Theory]
    [InlineData("бәсе", "bäse")]
    [InlineData("ағаш", "ağaş")]
    [InlineData("қала", "qala")]
    [InlineData("таң", "tañ")]
    [InlineData("таң", "taň")]
    [InlineData("өмір", "ömır")]
    [InlineData("ұлт", "ūlt")]
    [InlineData("үміт", "ümıt")]
    [InlineData("һәм", "häm")]
    [InlineData("ҳуқуқ", "huquq")]
    [InlineData("ҷавоб", "javob")]
    [InlineData("шумоӣ", "shumoī")]
    [InlineData("истисноии ӯро", "istisnoii ūro")] // ӯ, р, о look Latin: the word is read in its line's alphabet
    [InlineData("ўзбек", "oʻzbek")]
    [InlineData("чыкыш", "çykyş")]
    [InlineData("жаза", "žaza")]
    [InlineData("җогап", "jogap")]
    [InlineData("эйеси", "eýesi")]
    public void central_asian_letters_fold_as_their_latin_spellings(string cyrillic, string latin) =>
        Assert.Equal(NoticeText.Normalise(latin), NoticeText.Normalise(cyrillic));

    [Theory]
    [InlineData(English, EnglishCommunity)]
    [InlineData(Russian, RussianCommunity)]
    [InlineData(UzbekLatin, UzbekCommunity)]
    [InlineData(Kazakh, Kyrgyz)] // kindred languages, one kind of notice, other words
    [InlineData(Russian, Kazakh)]
    [InlineData(English, RussianInLatin)]
    public void different_notices_stay_apart(string a, string b)
    {
        double similarity = Similarity(a, b);
        output.WriteLine($"{similarity:F3}");
        Assert.True(similarity < PairEvidence.TextThreshold, $"similarity {similarity:F3}");
        Assert.True(Similarity(a, Disguised(b, 2)) < PairEvidence.TextThreshold);
    }

    [Fact]
    public async Task a_campaign_of_copies_each_disguised_otherwise_and_under_random_names_is_raised_on_its_text()
    {
        var engine = new CampaignEngine(new CampaignState(EmptyCampaignBackend.Instance), CampaignSettings.Default);
        var random = new Random(3);
        var start = new DateTimeOffset(2026, 9, 14, 9, 0, 0, TimeSpan.Zero);
        string Word() => new(Enumerable.Range(0, random.Next(3, 9)).Select(_ => (char)('a' + random.Next(26))).ToArray());
        NoticeReport Report(DateTimeOffset at, string text) =>
            new(Guid.NewGuid(), Guid.NewGuid(), Guid.NewGuid(), "UZ", Takedowns.Contracts.Platform.YouTube, Takedowns.Contracts.SubjectType.IndependentMedia,
                Takedowns.Contracts.GroundCategory.IntellectualProperty, DateOnly.FromDateTime(at.UtcDateTime), at, "x",
                new ReportNotice("Copyright", $"{Word()} {Word()}", text, null), 1);
        foreach (var i in Enumerable.Range(0, 120))
        {
            string other = string.Join(' ', Enumerable.Range(0, 50).Select(_ => Word()));
            Assert.Empty(await engine.ObserveAsync(Report(start.AddDays(-60 + i / 2.0).AddMinutes(random.Next(600)), other), start, default));
        }

        // One notice in Uzbek Latin and Cyrillic, each copy with twins swapped into other words.
        string[] copies = Enumerable.Range(0, 8).Select(i => Disguised(i % 2 == 0 ? UzbekLatin : Uzbek, 2 + i / 2, i % 2)).ToArray();
        Assert.Equal(8, copies.Distinct().Count());
        Assert.Equal(1, Similarity(copies[0], copies[2]));
        var events = new List<(Guid, object)>();
        foreach (var (copy, i) in copies.Select((c, i) => (c, i)))
            events.AddRange(await engine.ObserveAsync(Report(start.AddMinutes(9 * i), copy), start, default));

        var raised = Assert.Single(events.Select(e => e.Item2).OfType<CampaignRaised>());
        Assert.Equal(8, raised.Members.Count + events.Count(e => e.Item2 is CampaignReportLinked));
        Assert.Contains(raised.Signals, s => s.Contains("notice text"));
    }
}
