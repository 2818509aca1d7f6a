using System.Globalization;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using Takedowns.Contracts;

namespace Takedowns.Escalation.Packets;

/// <summary>
/// A packet's JSON rendered as Markdown or as a printable HTML page, in the packet's language. The words come from
/// <c>Packets/Strings/{language}.json</c>: a language is added by adding its file (English stands in for any word
/// it lacks). Everything from the packet is escaped: a notice text is shown, never interpreted.
/// </summary>
public static class PacketRendering
{
    private static readonly Dictionary<string, Dictionary<string, string>> Words = Load();

    private static Dictionary<string, Dictionary<string, string>> Load()
    {
        var assembly = typeof(PacketRendering).Assembly;
        var words = new Dictionary<string, Dictionary<string, string>>();
        foreach (string name in assembly.GetManifestResourceNames().Where(n => n.StartsWith("strings.", StringComparison.Ordinal)))
        {
            using var stream = assembly.GetManifestResourceStream(name)!;
            words[name["strings.".Length..^".json".Length]] = JsonSerializer.Deserialize<Dictionary<string, string>>(stream)!;
        }
        if (!words.ContainsKey("en")) throw new InvalidOperationException("The English words of packets are not embedded in the service.");
        return words;
    }

    internal static string Word(string language, string key) =>
        Words.TryGetValue(language, out var w) && w.TryGetValue(key, out var s) ? s : Words["en"].GetValueOrDefault(key, key);

    internal static string? Text(JsonElement e, string name) => e.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.String ? v.GetString() : null;

    internal sealed record Line(string Label, string Value);

    /// <summary>The packet's parts, in order, for either rendering.</summary>
    internal static (string Title, List<Line> Head, string? Ask, List<(string Heading, List<Line> Lines, string? Notice, List<string> Elements)> Accounts,
        List<string> Timeline, List<Line>? Coordination, string Omitted, string? Signed) Parts(JsonElement p, FrozenVersion? frozen)
    {
        string lang = Text(p, "language") ?? "en";
        string W(string key) => Word(lang, key);
        string status = Text(p, "status") == "finalised" ? W("finalised") : W("draft");
        var head = new List<Line>
        {
            new(W("platform"), Text(p, "platform") ?? ""),
            new(W("version"), $"{p.GetProperty("version").GetInt32()} ({status})"),
            new(W("asOf"), Text(p, "asOf") ?? ""),
        };
        if ((Text(p, "organisationName") ?? Text(p, "organisationId")) is { } org) head.Add(new(W("organisation"), org));
        var accounts = new List<(string, List<Line>, string?, List<string>)>();
        foreach (var a in p.GetProperty("accounts").EnumerateArray())
        {
            var g = a.GetProperty("ground");
            var lines = new List<Line>
            {
                new(W("subjectType"), Text(a, "subjectType") ?? ""), new(W("country"), Text(a, "country") ?? ""),
                new(W("action"), Text(a, "action") ?? ""), new(W("occurredOn"), Text(a, "occurredOn") ?? ""),
                new(W("daysDown"), a.GetProperty("daysDown").GetInt32().ToString(CultureInfo.InvariantCulture)),
                new(W("ground"), Text(g, "category") ?? ""),
            };
            if (Text(g, "policy") is { } policy) lines.Add(new(W("policy"), policy));
            if (Text(g, "claimant") is { } claimant) lines.Add(new(W("claimant"), claimant));
            if (g.TryGetProperty("complaintsCount", out var n)) lines.Add(new(W("complaints"), n.GetInt32().ToString(CultureInfo.InvariantCulture)));
            lines.Add(new(W("appeal"), W(Text(a, "appealStatus") ?? "none")));
            var remedy = a.GetProperty("remedy");
            lines.Add(new(W("remedy"), $"{Text(remedy, "name")} ({Text(remedy, "basis")})"));
            string heading = Text(a, "handle") + (Text(a, "url") is { } url ? $" <{url}>" : "");
            accounts.Add((heading, lines, Text(g, "noticeText"), remedy.GetProperty("elements").EnumerateArray().Select(e => e.GetString()!).ToList()));
        }
        var timeline = p.GetProperty("timeline").EnumerateArray()
            .Select(t => $"{Text(t, "on")}: {Text(t, "handle")} ({Text(t, "what")})").ToList();
        List<Line>? coordination = null;
        if (p.TryGetProperty("coordination", out var c))
        {
            coordination =
            [
                new(W("status"), Text(c, "status") ?? ""),
                new(W("members"), c.GetProperty("members").GetInt32().ToString(CultureInfo.InvariantCulture)),
                new(W("signals"), string.Join("; ", c.TryGetProperty("signalEvidence", out var evidence)
                    ? evidence.EnumerateArray().Select(s => SignalInWords(s, W))
                    : c.GetProperty("signals").EnumerateArray().Select(s => s.GetString()))),
            ];
            if (c.TryGetProperty("pValue", out var pv)) coordination.Add(new(W("pValue"), pv.GetDouble().ToString("G3", CultureInfo.InvariantCulture)));
            if (c.TryGetProperty("claimants", out var claimants) && claimants.GetArrayLength() > 0)
                coordination.Add(new(W("claimants"), string.Join("; ", claimants.EnumerateArray().Select(x =>
                    $"{Text(x, "name")} ({string.Format(CultureInfo.InvariantCulture, W("claimantAccounts"), x.GetProperty("accounts").GetInt32())})"))));
            var periods = c.TryGetProperty("civicPeriods", out var cp) ? cp.EnumerateArray().ToList() : [];
            if (periods.Count > 0)
                coordination.Add(new(W("civicPeriods"), string.Join("; ", periods.Select(x =>
                    $"{Text(x, "name")} ({W(Text(x, "type") ?? "other")}, {Text(x, "country")}, {Text(x, "start")} – {Text(x, "end")})"))));
        }
        string omitted = string.Format(CultureInfo.InvariantCulture, W("omitted"), p.GetProperty("omittedWithoutConsent").GetInt32());
        string? signed = frozen is null ? null : string.Format(CultureInfo.InvariantCulture, W("signed"), frozen.Sha256, frozen.KeyId);
        return ($"{W("title")}: {Text(p, "platform")}", head, Text(p, "ask"), accounts, timeline, coordination, omitted, signed);
    }

    /// <summary>"same claimant (in 40 of 45 links between the reports; about 1 in 300 notices on the platform)".</summary>
    private static string SignalInWords(JsonElement s, Func<string, string> W)
    {
        var parts = new List<string>
        {
            string.Format(CultureInfo.InvariantCulture, W("signalLinks"), s.GetProperty("links").GetInt32(), s.GetProperty("ofLinks").GetInt32()),
        };
        if (s.TryGetProperty("share", out var share) && share.GetDouble() > 0)
            parts.Add(string.Format(CultureInfo.InvariantCulture, W("signalShare"), Math.Max(1, Math.Round(1 / share.GetDouble())).ToString("N0", CultureInfo.InvariantCulture)));
        return $"{Text(s, "signal")} ({string.Join("; ", parts)})";
    }

    /// <summary>Markdown; text from the packet is escaped so that it reads as written.</summary>
    public static string Markdown(JsonElement packet, FrozenVersion? frozen)
    {
        var (title, head, ask, accounts, timeline, coordination, omitted, signed) = Parts(packet, frozen);
        string lang = Text(packet, "language") ?? "en";
        static string E(string s) => MarkdownText(s);
        var md = new StringBuilder();
        md.Append("# ").Append(E(title)).Append("\n\n");
        foreach (var l in head) md.Append("- **").Append(E(l.Label)).Append(":** ").Append(E(l.Value)).Append('\n');
        if (ask is not null) md.Append("\n## ").Append(E(Word(lang, "ask"))).Append("\n\n").Append(E(ask)).Append('\n');
        md.Append("\n## ").Append(E(Word(lang, "accounts"))).Append("\n\n");
        foreach (var (heading, lines, notice, elements) in accounts)
        {
            md.Append("### ").Append(E(heading)).Append("\n\n");
            foreach (var l in lines) md.Append("- **").Append(E(l.Label)).Append(":** ").Append(E(l.Value)).Append('\n');
            if (elements.Count > 0) md.Append("- **").Append(E(Word(lang, "elements"))).Append(":** ").Append(E(string.Join("; ", elements))).Append('\n');
            if (notice is not null)
            {
                md.Append("\n**").Append(E(Word(lang, "noticeText"))).Append(":**\n\n");
                foreach (string line in notice.Split('\n')) md.Append("> ").Append(E(line)).Append('\n');
            }
            md.Append('\n');
        }
        md.Append("## ").Append(E(Word(lang, "timeline"))).Append("\n\n");
        foreach (string t in timeline) md.Append("- ").Append(E(t)).Append('\n');
        if (coordination is not null)
        {
            md.Append("\n## ").Append(E(Word(lang, "coordination"))).Append("\n\n");
            foreach (var l in coordination) md.Append("- **").Append(E(l.Label)).Append(":** ").Append(E(l.Value)).Append('\n');
        }
        md.Append('\n').Append(E(omitted)).Append('\n');
        if (signed is not null) md.Append('\n').Append(E(signed)).Append('\n');
        return md.ToString();
    }

    /// <summary>Backslash before every character Markdown could read as markup, and no raw HTML.</summary>
    public static string MarkdownText(string s)
    {
        var sb = new StringBuilder(s.Length + 8);
        foreach (char ch in s)
        {
            if ("\\`*_{}[]()#+-.!|<>~".Contains(ch)) sb.Append('\\');
            sb.Append(ch == '\r' ? ' ' : ch);
        }
        return sb.ToString();
    }

    /// <summary>A printable page: one file, no script, no outside resource.</summary>
    public static string Html(JsonElement packet, FrozenVersion? frozen)
    {
        var (title, head, ask, accounts, timeline, coordination, omitted, signed) = Parts(packet, frozen);
        string lang = Text(packet, "language") ?? "en";
        var h = HtmlEncoder.Default;
        string E(string s) => h.Encode(s);
        var html = new StringBuilder();
        html.Append("<!DOCTYPE html>\n<html lang=\"").Append(E(lang)).Append("\">\n<head>\n<meta charset=\"utf-8\">\n<title>").Append(E(title)).Append("</title>\n")
            .Append("<style>body{font-family:sans-serif;max-width:50em;margin:2em auto;line-height:1.4}dt{font-weight:bold}blockquote{border-left:3px solid #999;margin-left:0;padding-left:1em;white-space:pre-wrap}")
            .Append("section{break-inside:avoid}@media print{body{margin:0}}</style>\n</head>\n<body>\n<h1>").Append(E(title)).Append("</h1>\n");
        void List(List<Line> lines)
        {
            html.Append("<dl>\n");
            foreach (var l in lines) html.Append("<dt>").Append(E(l.Label)).Append("</dt><dd>").Append(E(l.Value)).Append("</dd>\n");
            html.Append("</dl>\n");
        }
        List(head);
        if (ask is not null) html.Append("<h2>").Append(E(Word(lang, "ask"))).Append("</h2>\n<p>").Append(E(ask)).Append("</p>\n");
        html.Append("<h2>").Append(E(Word(lang, "accounts"))).Append("</h2>\n");
        foreach (var (heading, lines, notice, elements) in accounts)
        {
            html.Append("<section>\n<h3>").Append(E(heading)).Append("</h3>\n");
            List(elements.Count == 0 ? lines : [.. lines, new Line(Word(lang, "elements"), string.Join("; ", elements))]);
            if (notice is not null) html.Append("<p><strong>").Append(E(Word(lang, "noticeText"))).Append("</strong></p>\n<blockquote>").Append(E(notice)).Append("</blockquote>\n");
            html.Append("</section>\n");
        }
        html.Append("<h2>").Append(E(Word(lang, "timeline"))).Append("</h2>\n<ul>\n");
        foreach (string t in timeline) html.Append("<li>").Append(E(t)).Append("</li>\n");
        html.Append("</ul>\n");
        if (coordination is not null)
        {
            html.Append("<h2>").Append(E(Word(lang, "coordination"))).Append("</h2>\n");
            List(coordination);
        }
        html.Append("<p>").Append(E(omitted)).Append("</p>\n");
        if (signed is not null) html.Append("<p><small>").Append(E(signed)).Append("</small></p>\n");
        html.Append("</body>\n</html>\n");
        return html.ToString();
    }
}
