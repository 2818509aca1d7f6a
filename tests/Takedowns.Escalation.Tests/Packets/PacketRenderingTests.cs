using System.Text.Json;
using Takedowns.Contracts;
using Takedowns.Contracts.Escalation;
using Takedowns.Escalation.Cases;
using Takedowns.Escalation.Packets;

namespace Takedowns.Escalation.Tests.Packets;

/// <summary>The renderings without a database: every word present in each language, and the packet's text escaped.</summary>
public sealed class PacketRenderingTests
{
    private static JsonElement Document(string language, string notice = "<b>x</b>")
    {
        var facts = new CaseFacts(Platform.YouTube, new CaseAccount("@a_b", "https://youtube.com/@a_b", null), SubjectType.Journalist, "FR", "fr", 10,
            TakedownAction.AccountSuspended, new CaseGround(GroundCategory.CommunityStandards, "Spam", notice, "C & Co", 2, true),
            new DateOnly(2026, 11, 1), null, null, DateTimeOffset.UnixEpoch, [new CaseEvidence(new string('a', 64), "image/png", "screen")],
            new CaseAppeal(new DateOnly(2026, 11, 2), null, null), "puid-1", true);
        var packet = Packet.Create(new PacketDrafted(Guid.NewGuid(), Guid.NewGuid(), Platform.YouTube, null, [Guid.NewGuid()], language, "Please restore.", [], 1,
            DateTimeOffset.UnixEpoch));
        var doc = PacketDocument.Build(packet, [new CaseFile(packet.ReportIds[0], Guid.NewGuid(), 1, facts)], null, 1, new DateOnly(2026, 12, 1));
        return JsonDocument.Parse(doc.ToUtf8()).RootElement.Clone();
    }

    [Theory]
    [InlineData("en", "# Escalation packet")]
    [InlineData("ru", "# Пакет для эскалации")]
    public void each_language_renders_its_own_words(string language, string title)
    {
        string md = PacketRendering.Markdown(Document(language), null);
        Assert.StartsWith(title, md);
        Assert.Contains("@a\\_b", md);
        Assert.Contains("\\<b\\>x\\</b\\>", md);
        string html = PacketRendering.Html(Document(language), null);
        Assert.Contains($"<html lang=\"{language}\">", html);
        Assert.Contains("&lt;b&gt;x&lt;/b&gt;", html);
        Assert.Contains("C &amp; Co", html);
    }

    /// <summary>The text of a PDF as a reader extracts it, words joined by single spaces.</summary>
    public static string PdfText(byte[] pdf)
    {
        using var document = UglyToad.PdfPig.PdfDocument.Open(pdf);
        return string.Join(" ", document.GetPages().SelectMany(p => p.GetWords()).Select(w => w.Text));
    }

    [Theory]
    [InlineData("en", "Escalation packet", "Affected accounts")]
    [InlineData("ru", "Пакет для эскалации", "Затронутые аккаунты")]
    public void the_pdf_holds_the_packets_words_in_its_language_and_wraps_a_long_notice_over_pages(string language, string title, string accounts)
    {
        // A notice long enough for several pages, with a word wider than a line, Cyrillic, and a control character.
        string longWord = new('x', 300);
        string notice = string.Join("\n", Enumerable.Range(1, 150).Select(i => $"Строка {i} of the notice; жалоба\u0007 номер {i}.")) + " " + longWord;
        byte[] pdf = PacketPdf.Render(Document(language, notice), new FrozenVersion(1, new string('f', 64), "sig", "kid", DateTimeOffset.UnixEpoch));
        Assert.Equal("%PDF-"u8.ToArray(), pdf[..5]);
        string text = PdfText(pdf);
        Assert.Contains(title, text);
        Assert.Contains(accounts, text);
        Assert.Contains("@a_b", text);
        Assert.Contains("C & Co", text);
        Assert.Contains("Строка 1 of the notice", text);
        Assert.Contains("жалоба", text);
        Assert.Contains("номер 150.", text);
        Assert.Contains("SHA-256 " + new string('f', 64), text);
        using var document = UglyToad.PdfPig.PdfDocument.Open(pdf);
        Assert.True(document.NumberOfPages >= 3, $"{document.NumberOfPages} pages");
        Assert.Contains($"1 / {document.NumberOfPages}", text);
        // The long word is broken over lines (and here over a page, whose foot comes between), every character kept.
        string body = System.Text.RegularExpressions.Regex.Replace(text, @"\d+ / \d+ SHA-256 f{64}", "");
        Assert.True(body.Replace(" ", "").Contains(longWord), body[Math.Max(0, body.IndexOf("xxx", StringComparison.Ordinal) - 200)..]);
        // Nothing runs past the right margin.
        foreach (var page in document.GetPages())
            Assert.All(page.GetWords(), w => Assert.True(w.BoundingBox.Right <= page.Width - 50, $"'{w.Text}' ends at {w.BoundingBox.Right} of {page.Width}"));
    }

    [Fact]
    public void claimants_are_counted_by_name_whatever_the_case_and_shown_as_most_notices_spell_them()
    {
        CaseFile Case(string? claimant) => new(Guid.NewGuid(), Guid.NewGuid(), 1, new CaseFacts(Platform.YouTube, new CaseAccount("@a", null, null),
            SubjectType.Journalist, "FR", null, null, TakedownAction.AccountSuspended, new CaseGround(GroundCategory.Spam, null, null, claimant, null, null),
            new DateOnly(2026, 11, 1), null, null, DateTimeOffset.UnixEpoch, [], null, null, false));
        var claimants = PacketClaimant.Of([Case("Vadra Content Protection"), Case(" vadra content protection "), Case("Vadra Content Protection"),
            Case("Other Agency"), Case(null), Case("  ")]);
        Assert.Equal([new PacketClaimant("Vadra Content Protection", 3), new PacketClaimant("Other Agency", 1)], claimants);
    }

    [Fact]
    public void every_language_file_has_every_word_the_english_one_has()
    {
        var assembly = typeof(PacketRendering).Assembly;
        Dictionary<string, string> Words(string name)
        {
            using var stream = assembly.GetManifestResourceStream(name)!;
            return JsonSerializer.Deserialize<Dictionary<string, string>>(stream)!;
        }
        var languages = assembly.GetManifestResourceNames().Where(n => n.StartsWith("strings.", StringComparison.Ordinal)).ToList();
        Assert.Contains("strings.en.json", languages);
        Assert.Contains("strings.ru.json", languages);
        var english = Words("strings.en.json").Keys.Order().ToList();
        foreach (string language in languages)
        {
            var words = Words(language);
            Assert.Equal(english, words.Keys.Order().ToList());
            Assert.All(words.Values, w => Assert.False(string.IsNullOrWhiteSpace(w), $"{language} has an empty word"));
        }
    }
}
