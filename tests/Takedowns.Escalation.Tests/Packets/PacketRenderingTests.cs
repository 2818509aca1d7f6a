using System.Text.Json;
using Takedowns.Contracts;
using Takedowns.Contracts.Escalation;
using Takedowns.Escalation.Cases;
using Takedowns.Escalation.Packets;

namespace Takedowns.Escalation.Tests.Packets;

/// <summary>The renderings without a database: every word present in each language, and the packet's text escaped.</summary>
public sealed class PacketRenderingTests
{
    private static JsonElement Document(string language)
    {
        var facts = new CaseFacts(Platform.YouTube, new CaseAccount("@a_b", "https://youtube.com/@a_b", null), SubjectType.Journalist, "FR", "fr", 10,
            TakedownAction.AccountSuspended, new CaseGround(GroundCategory.CommunityStandards, "Spam", "<b>x</b>", "C & Co", 2, true),
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
