using System.Collections.Concurrent;
using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;
using CsCheck;
using Takedowns.Testing;

namespace Takedowns.EndToEnd;

/// <summary>
/// Thousands of generated malformed and hostile requests, through the gateway, to every endpoint a reporter, a webhook
/// sender, an analyst or the public reaches. Whatever is sent: never a 5xx; every 4xx an RFC 9457 problem, a 400 naming
/// what was wrong; nothing stored for a request refused; and what was accepted flows through every subscription,
/// projection and consumer without anything parked. Set FUZZ_SEED to repeat a run's exact requests.
/// </summary>
[Collection(SystemCollection.Name)]
public sealed class FuzzTests(RunningSystem system)
{
    // A country no other test of the running system reports in, so that its reports are this test's alone.
    private const string Country = "LA";

    private const int ReportCount = 1800, AmendmentCount = 800, NativeWebhookCount = 900, MappedWebhookCount = 600, MappingCount = 200,
        ImportCount = 300, ReportListCount = 300, AnalysisCount = 900, PublicCount = 700;

    private readonly Steps _steps = new(system);
    private readonly ConcurrentDictionary<string, ConcurrentDictionary<int, int>> _tally = new();
    private readonly ConcurrentQueue<string> _failures = new();
    private int _throttled;
    private ulong _seed;

    /// <summary>A body as sent: bytes (not always UTF-8, not always JSON) and its content type (none when null).</summary>
    private sealed record Body(byte[] Bytes, string? ContentType);

    /// <summary>One generated request: where to, with what; {target} in the path is filled in when it is sent.</summary>
    private sealed record Probe(string Endpoint, HttpMethod Method, string Path, Body? Body = null, string? Accept = null, string? IdempotencyKey = null);

    private sealed record Answer(HttpStatusCode Status, string? MediaType, string Text);

    // ---------------------------------------------------------------------------------------------------------------
    // Values
    // ---------------------------------------------------------------------------------------------------------------

    private static readonly JsonSerializerOptions Relaxed = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    /// <summary>Text that is odd but may well be stored: direction marks, joiners, combining marks, confusables, other scripts.</summary>
    private static readonly string[] OddPieces =
    [
        "\u200F", "\u202E", "\u202Dabc\u202C", "\u200D", "\u200B", "\uFEFF", "\u2028", "\u2029", "e\u0301\u0301\u0301\u0301", "Z\u0351\u0358\u0364\u036A",
        "аpple", "раураl", "ΚΖ", "ＬＡ", "𝐀𝐁𝐂", "👨‍👩‍👧‍👦", "🏳️‍🌈", "İı", "ß", "ǅ", "ﬁ", "ℌ", "\uFFFD", "\uFFFF", "\uFFFE", "\t", "\r\n", "\u0001", "\u001F", "\u007F",
        "\u0085", "مرحبا", "שלום", "漢字", "ქართული", "Қазақ", "ອັກສອນລາວ", "᚛ᚔ᚜", "\U0010FFFF", "\U0001F600", " ", "  leading", "trailing  ", "\\", "\"", "'", "`",
    ];

    /// <summary>Fragments aimed at whatever might interpret text: SQL, HTML, templates, shells, spreadsheets, paths.</summary>
    private static readonly string[] HostilePieces =
    [
        "'; drop table mt_doc_report; --", "\" OR 1=1 --", "$$; select pg_sleep(10); $$", "'||(select version())||'", "%' and 1=1 and '%'='",
        "\\x00", "\\u0000", "E'\\\\000'", "<script>alert(1)</script>", "<img src=x onerror=alert(1)>", "javascript:alert(1)", "{{7*7}}", "${7*7}",
        "${jndi:ldap://example.invalid/a}", "../../../../etc/passwd", "%s%s%s%n", "=cmd|' /C calc'!A0", "@SUM(1+1)", "+1+1", "-1+1", "$(id)", "`id`",
        "; ls -la", "</json>", "]]>", "<!--", "\r\nSet-Cookie: a=b", "%00", "%u0000", "null", "undefined", "NaN", "__proto__", "{\"$ne\":null}",
    ];

    private static readonly string[] DateForms =
    [
        "2024-02-29", "2023-02-29", "2000-02-29", "1900-02-29", "2100-02-29", "0001-01-01", "9999-12-31", "1999-12-31", "2000-01-01", "2100-12-31",
        "2026-W05-3", "2026W053", "2026-045", "2026045", "20240229", "2024-2-9", "29/02/2024", "02/29/2024", "2024.02.29", "2024-02-29Z", "2024-13-01",
        "2024-00-10", "2024-04-31", "2024-02-29T12:00:00", "2024-02-29T12:00:00Z", "2024-02-29T12:00:00.1Z", "2024-02-29T12:00:00.1234567Z",
        "2024-02-29T12:00:00.123456789+05:45", "2024-02-29T12:00:00,5Z", "2024-02-29 12:00:00Z", "2024-02-29t12:00:00z", "2024-02-29T24:00:00Z",
        "2024-02-29T23:59:60Z", "2024-02-29T12:00Z", "2024-02-29T12Z", "2024-02-29T12:00:00+14:00", "2024-02-29T12:00:00+14:01", "2024-02-29T12:00:00-12:00",
        "2024-02-29T12:00:00+15:00", "2024-02-29T12:00:00-00:00", "2024-02-29T12:00:00+0545", "2024-02-29T12:00:00+05", "2024-02-29T12:00:00 +05:00",
        "2000-01-01T00:00:00+00:01", "1999-12-31T23:59:59-00:01", "2000-01-01T05:45:00+05:45", "2024-02-29T12:00:00+05:45[Asia/Kathmandu]",
        "2024-02-29T12:00:00.000000000000000000001Z", "2024-W09-4T12:00:00Z", "P1D", "now", "yesterday", "1709208000", "-2024-02-29", "+002024-02-29",
        "２０２４-０２-２９", "2024-02-29\u200B", " 2024-02-29", "2024-02-29 ", "",
    ];

    private static string Day(DateTimeOffset at) => at.UtcDateTime.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);

    /// <summary>Dates around now, in several forms: today, tomorrow (allowed), the day after (not), an hour ahead in +14:00.</summary>
    private static string[] RelativeDates(DateTimeOffset now) =>
    [
        Day(now), Day(now.AddDays(1)), Day(now.AddDays(2)), Day(now.AddDays(-1)), now.ToOffset(TimeSpan.FromHours(14)).ToString("yyyy-MM-ddTHH:mm:sszzz", CultureInfo.InvariantCulture),
        now.AddHours(23).ToString("yyyy-MM-ddTHH:mm:ssZ", CultureInfo.InvariantCulture), now.AddHours(25).ToString("yyyy-MM-ddTHH:mm:ss.fffffffZ", CultureInfo.InvariantCulture),
        now.AddMinutes(-5).ToOffset(TimeSpan.FromHours(-12)).ToString("yyyy-MM-ddTHH:mm:ss.fffzzz", CultureInfo.InvariantCulture),
    ];

    /// <summary>Past dates and times that a report may carry, in every form the API takes.</summary>
    private static readonly string[] ValidTimes =
    [
        "2024-02-29", "2000-01-01", "2000-02-29", "2024-02-29T23:59:59.9999999+14:00", "2000-01-01T05:45:00+05:45", "2024-02-29T00:00:00-12:00",
        "2025-06-30T23:59:59Z", "2026-03-29T02:30:00+01:00", "2025-12-31T23:59:59.999+05:30",
    ];

    private static Gen<string> Repeat(Gen<string> piece, int min, int max) => piece.Array[min, max].Select(p => string.Concat(p));

    /// <summary>Text of every kind: words, odd Unicode, hostile fragments, dates, text just over and far over a field's limit.</summary>
    private static readonly Gen<string> Texts = Gen.Frequency(
        (3, Repeat(Gen.OneOf(OddPieces), 1, 6)),
        (3, Repeat(Gen.OneOf(HostilePieces), 1, 3)),
        (2, Gen.OneOf(DateForms)),
        (2, Gen.Char['a', 'z'].Array[1, 12].Select(c => "@" + new string(c))),
        (1, Gen.OneOf("a\u0000b", "\u0000", "handle\u0000")),
        (1, Gen.OneOf(199, 200, 201, 500, 501, 2048, 2049, 20_000, 20_001, 100_000).SelectMany(n => Gen.OneOf("a", "é", "😀", "\u200F", "'").Select(c => Fill(c, n)))),
        (1, Gen.String));

    private static string Fill(string piece, int length)
    {
        var text = new StringBuilder(length + piece.Length);
        while (text.Length < length) text.Append(piece);
        return text.ToString();
    }

    private static string Json(string text, bool relaxed) => JsonSerializer.Serialize(text, relaxed ? Relaxed : JsonSerializerOptions.Default);

    /// <summary>A raw JSON value (or something that is not quite one) to put where any field goes.</summary>
    private static readonly Gen<string> RawValues = Gen.Frequency(
        (3, Gen.OneOf("null", "true", "false", "0", "-1", "1", "[]", "{}", "[1,2]", "[\"youtube\"]", "{\"a\":1}", "\"\"", "\" \"", "1.5", "-0", "0.0", "1e2")),
        (2, Gen.OneOf("1e400", "-1e400", "99999999999999999999999999999", "9223372036854775807", "9223372036854775808", "-9223372036854775809",
            "2147483647", "2147483648", "-2147483649", "1E+2", "1.0000000000000000000000001", "4.9e-324", "1e-400", "123456789012345678901234567890.5")),
        (1, Gen.OneOf("0x10", "NaN", "Infinity", "-Infinity", "01", "+1", ".5", "1.", "--1", "1e", "tru", "nul", "True", "'single'", "undefined", "[1,]", "{,}")),
        (2, Gen.OneOf("\"\\u0000\"", "\"a\\u0000b\"", "\"\\ud800\"", "\"\\udfff\"", "\"x\\ud800y\"", "\"\\udc00\\ud800\"", "\"\\ud800\\u0041\"", "\"\\uDBFF\\uDFFF\"",
            "\"\\x41\"", "\"\\u12\"", "\"\\uZZZZ\"", "\"\\q\"", "\"unterminated", "\"tab\tinside\"", "\"new\nline\"", "\"\\/\\b\\f\\n\\r\\t\"")),
        (6, Gen.Select(Texts, Gen.Bool).Select((t, relaxed) => Json(t, relaxed))),
        (1, Gen.Int[2, 300].Select(depth => new string('[', depth) + new string(']', depth))),
        (1, Gen.Int[20, 5000].Select(depth => Fill("{\"a\":", 5 * depth) + "1" + new string('}', depth))));

    private static readonly Gen<string> WrongContentTypes = Gen.OneOf<string?>(
        null, "text/plain", "application/xml", "application/x-www-form-urlencoded", "multipart/form-data; boundary=x", "application/json; charset=utf-16",
        "application/json; charset=latin1", "application/merge-patch+json", "application/json ; charset=\"utf-8\"", "*/*", "application/jsonx", "text/json",
        "application/problem+json", "application/x-ndjson", "text/csv", "application/json; charset=utf-8; charset=ascii", "garbage", "")!;

    // ---------------------------------------------------------------------------------------------------------------
    // Bodies: a valid document, mutated
    // ---------------------------------------------------------------------------------------------------------------

    /// <summary>A field of a document, by its path (numbers index arrays).</summary>
    private static string[] P(string path) => path.Split('.');

    private sealed record Shape(Func<JsonObject> Valid, string[][] Paths, Gen<(string[] Path, string Raw)> OddButValid);

    private static void Set(JsonObject root, string[] path, JsonNode? value)
    {
        JsonNode parent = root;
        for (int i = 0; i < path.Length - 1; i++)
        {
            JsonNode? next = parent is JsonObject o ? o[path[i]] : parent is JsonArray a && int.TryParse(path[i], out int k) && k < a.Count ? a[k] : null;
            if (next is null || next.GetValueKind() is not (JsonValueKind.Object or JsonValueKind.Array))
            {
                next = new JsonObject();
                if (parent is JsonObject po) po[path[i]] = next;
                else if (parent is JsonArray pa && int.TryParse(path[i], out int j) && j < pa.Count) pa[j] = next;
                else return;
            }
            parent = next;
        }
        if (parent is JsonObject target)
        {
            if (value is null) target.Remove(path[^1]);
            else target[path[^1]] = value;
        }
        else if (parent is JsonArray array && int.TryParse(path[^1], out int at) && at < array.Count)
        {
            if (value is null) array.RemoveAt(at);
            else array[at] = value;
        }
    }

    /// <summary>Renders a document with raw values (any text at all) at the given paths; a null raw value removes the field.</summary>
    private static string Render(JsonObject document, IReadOnlyList<(string[] Path, string? Raw)> edits, bool relaxed)
    {
        for (int i = 0; i < edits.Count; i++)
            Set(document, edits[i].Path, edits[i].Raw is null ? null : JsonValue.Create($"__fuzz_{i}__"));
        string text = document.ToJsonString(relaxed ? Relaxed : JsonSerializerOptions.Default);
        for (int i = 0; i < edits.Count; i++)
            if (edits[i].Raw is { } raw) text = text.Replace($"\"__fuzz_{i}__\"", raw);
        return text;
    }

    private static readonly byte[][] BadUtf8 =
    [
        [0xFF], [0xFE], [0x80], [0xBF], [0xC0, 0x80], [0xC1, 0xBF], [0xE0, 0x80, 0x80], [0xED, 0xA0, 0x80], [0xED, 0xBF, 0xBF], [0xF4, 0x90, 0x80, 0x80],
        [0xF8, 0x88, 0x80, 0x80, 0x80], [0xE2, 0x82], [0xF0, 0x9F, 0x98], [0xC3], [0x61, 0xFF, 0x62], [0x00],
    ];

    private static Gen<T> OneOf<T>(IReadOnlyList<T> items) => Gen.Int[0, items.Count - 1].Select(i => items[i]);

    /// <summary>
    /// A document of <paramref name="shape"/>: valid with odd values, or broken in one of many ways — wrong types, missing
    /// and extra fields, fields twice, deep nesting, cut short, invalid UTF-8, another encoding, another content type, too big.
    /// </summary>
    private static Gen<Body> Bodies(Shape shape, string contentType, IReadOnlyList<string> extraNames)
    {
        var path = OneOf(shape.Paths);
        var edit = Gen.Select(path, RawValues).Select((p, raw) => (p, (string?)raw));
        var removal = path.Select(p => (p, (string?)null));
        var valid = shape.OddButValid.Select(e => (e.Path, (string?)e.Raw));
        Gen<Body> Text(Gen<string> text) => text.Select(t => new Body(Encoding.UTF8.GetBytes(t), contentType));
        string Plain(IReadOnlyList<(string[] Path, string? Raw)> edits, bool relaxed) => Render(shape.Valid(), edits, relaxed);

        return Gen.Frequency(
            // Odd but valid: most of these are stored, and must then flow everywhere.
            (12, Text(Gen.Select(valid.List[1, 4], Gen.Bool).Select((e, r) => Plain(e, r)))),
            // One to three fields with a hostile value, some removed.
            (24, Text(Gen.Select(Gen.Frequency((5, edit), (1, removal), (2, valid)).List[1, 3], Gen.Bool).Select((e, r) => Plain(e, r)))),
            // Unknown, server-owned and look-alike field names.
            (5, Text(Gen.Select(OneOf(extraNames), RawValues, Gen.Bool, path).Select((name, raw, r, at) =>
                Plain([([.. at[..^1], name], raw)], r)))),
            // A field given twice (textually, at its own level), or a whole object given twice.
            (5, Text(Gen.Select(path, RawValues, Gen.Bool).Select((at, raw, r) =>
            {
                string text = Plain([], r);
                string key = $"\"{at[^1]}\":";
                int i = text.IndexOf(key, StringComparison.Ordinal);
                return i < 0 ? "{" + key + raw + "," + text[1..] : text.Insert(i, key + raw + ",");
            }))),
            (1, Text(Gen.Bool.Select(r => { string t = Plain([], r); return t[..^1] + "," + t[1..]; }))),
            // Cut short anywhere.
            (6, Gen.Select(Gen.Bool, Gen.Double[0, 1]).Select((r, cut) =>
            {
                byte[] bytes = Encoding.UTF8.GetBytes(Plain([], r));
                return new Body(bytes[..(int)(cut * bytes.Length)], contentType);
            })),
            // Invalid UTF-8 inside a string, or around the document; or the document in UTF-16 or UTF-32.
            (6, Gen.Select(path, OneOf(BadUtf8), Gen.Int[0, 3]).Select((at, bad, where) =>
            {
                byte[] bytes = Encoding.UTF8.GetBytes(Plain([(at, "\"x__bad__y\"")], false));
                int i = bytes.AsSpan().IndexOf("__bad__"u8);
                return where switch
                {
                    0 or 1 => new Body([.. bytes[..i], .. bad, .. bytes[(i + 7)..]], contentType),
                    2 => new Body([.. bad, .. bytes], contentType),
                    _ => new Body([.. bytes, .. bad], contentType),
                };
            })),
            (2, Gen.Select(Gen.OneOf(0, 1, 2, 3), Gen.Bool).Select((encoding, r) =>
            {
                string text = Plain([], r);
                return encoding switch
                {
                    0 => new Body([.. Encoding.Unicode.GetPreamble(), .. Encoding.Unicode.GetBytes(text)], contentType),
                    1 => new Body(Encoding.BigEndianUnicode.GetBytes(text), contentType),
                    2 => new Body(Encoding.UTF32.GetBytes(text), contentType),
                    _ => new Body([.. Encoding.UTF8.GetPreamble(), .. Encoding.UTF8.GetBytes(text)], contentType),
                };
            })),
            // Nothing, a scalar, an array, two documents, comments, trailing commas, single quotes.
            (5, Text(Gen.OneOf("", " ", "\n", "null", "[]", "[{}]", "\"report\"", "0", "true", "{}", "{", "}", "{\"\":}", "\0", "{}{}", "{} x",
                "/* comment */{}", "{\"platform\":\"youtube\",}", "{'platform':'youtube'}", "NaN", "[" + Fill("{},", 3000) + "{}]", "{\"\":\"\"}"))),
            // A valid document as another content type.
            (4, Gen.Select(WrongContentTypes, Gen.Bool).Select((type, r) => new Body(Encoding.UTF8.GetBytes(Plain([], r)), type))),
            // Just over 1 MiB, and far over.
            (1, Gen.Select(path, Gen.OneOf(1024 * 1024, 3 * 1024 * 1024)).Select((at, size) =>
                new Body(Encoding.UTF8.GetBytes(Plain([(at, Json(Fill("x", size), false))], false)), contentType))));
    }

    private static readonly string[] ExtraNames =
    [
        "Platform", "PLATFORM", "platform ", " platform", "plat\u0000form", "platforｍ", "__proto__", "constructor", "$type", "$id", "$ref", "$values", "",
        "reportId", "status", "organisationId", "reportedAt", "updatedAt", "channel", "sourceId", "history", "incidentId", "extra", "\u202Eplatform",
    ];

    private static readonly string[] ReportPaths =
    [
        "externalId", "platform", "account", "account.handle", "account.url", "account.platformId", "subjectType", "country", "language", "audienceSize",
        "action", "ground", "ground.category", "ground.policy", "ground.noticeText", "ground.claimant", "ground.complaintsCount", "ground.lookedAutomated",
        "ground.claimedOriginalUrl", "occurredAt", "noticedAt", "evidence", "evidence.0", "evidence.0.sha256", "evidence.0.mediaType", "evidence.0.caption",
        "consent", "consent.network", "consent.platform", "consent.publicStatistics", "consent.caseStudy", "reporterContact", "reporterContact.name",
        "reporterContact.email", "reporterContact.phone", "reporterContact.messenger", "dsa", "dsa.decisionAccount", "dsa.decisionVisibility", "dsa.puid",
        "dsa.automatedDetection", "dsa.category", "dsa.sourceType",
    ];

    /// <summary>A full report of this test's country (the sample report, with every optional field added).</summary>
    private static JsonObject ValidReport()
    {
        var report = JsonNode.Parse(SampleReports.Body(country: Country, occurredAt: "2026-03-14"))!.AsObject();
        report["externalId"] = "fuzz-" + Guid.NewGuid().ToString("N")[..12];
        report["account"]!["url"] = "https://t.me/example";
        report["account"]!["platformId"] = "1234567890";
        report["language"] = "lo";
        report["audienceSize"] = 12000;
        report["ground"]!["policy"] = "Copyright";
        report["ground"]!["complaintsCount"] = 3;
        report["ground"]!["lookedAutomated"] = true;
        report["ground"]!["claimedOriginalUrl"] = "https://archive.example/v/1";
        report["noticedAt"] = "2026-03-15T08:00:00+07:00";
        report["evidence"] = new JsonArray(new JsonObject { ["sha256"] = new string('a', 64), ["mediaType"] = "image/png", ["caption"] = "The notice" });
        report["consent"] = new JsonObject { ["network"] = true, ["platform"] = false, ["publicStatistics"] = true, ["caseStudy"] = false };
        report["reporterContact"] = new JsonObject { ["name"] = "Made-up Reporter", ["email"] = "reporter@example.org" };
        report["dsa"] = new JsonObject { ["decisionAccount"] = "DECISION_ACCOUNT_SUSPENDED", ["puid"] = "fuzz-0001" };
        return report;
    }

    private static readonly string[] FreeTextPaths =
        ["externalId", "account.handle", "account.platformId", "ground.policy", "ground.noticeText", "ground.claimant", "evidence.0.caption", "reporterContact.name", "reporterContact.messenger"];

    private static Gen<(string[] Path, string Raw)> OddButValidReport(DateTimeOffset now) => Gen.Frequency(
        (6, Gen.Select(OneOf(FreeTextPaths), Texts.Where(t => t.Length is > 0 and <= 200 && !t.Contains('\0')), Gen.Bool).Select((p, t, r) => (P(p), Json(t, r)))),
        (3, Gen.Select(Gen.OneOf("occurredAt", "noticedAt"), Gen.OneOf([.. ValidTimes, .. RelativeDates(now)])).Select((p, t) => (P(p), Json(t, false)))),
        (1, Gen.OneOf("youtube", "facebook", "instagram", "telegram", "x", "tiktok", "vk", "ok", "other").Select(v => (P("platform"), Json(v, false)))),
        (1, Gen.OneOf("account_suspended", "account_terminated", "content_removed", "content_restricted", "visibility_reduced", "demonetised",
            "feature_restricted", "account_compromised").Select(v => (P("action"), Json(v, false)))),
        (1, Gen.OneOf("intellectual_property", "community_standards", "impersonation", "spam", "legal_request", "government_request", "unknown")
            .Select(v => (P("ground.category"), Json(v, false)))),
        (1, Gen.OneOf("la", "LA").Select(v => (P("country"), Json(v, false)))),
        (1, Gen.OneOf("uz-Latn", "zh-Hant-TW", "x-klingon", "i-default", "und", "lo-LA-u-nu-laoo").Select(v => (P("language"), Json(v, false)))),
        (1, Gen.OneOf("0", "9223372036854775807", "1").Select(v => (P("audienceSize"), v))),
        (1, Gen.OneOf("0", "2147483647").Select(v => (P("ground.complaintsCount"), v))),
        (1, Gen.OneOf("true", "false", "null").SelectMany(v => Gen.OneOf("network", "platform", "publicStatistics", "caseStudy").Select(f => (P("consent." + f), v)))),
        (1, Gen.OneOf("null", "[]").SelectMany(v => Gen.OneOf("evidence", "dsa", "reporterContact", "noticedAt", "consent", "language").Select(f => (P(f), v)))),
        (1, Gen.Char['0', 'f'].Array[64].Select(c => (P("evidence.0.sha256"), Json(new string(c), false)))),
        (1, Gen.OneOf(1, 499, 500).Select(n => (P("dsa.puid"), Json(Fill("Az09_-", n)[..n], false)))));

    private static Shape ReportShape(DateTimeOffset now) => new(ValidReport, [.. ReportPaths.Select(P)], OddButValidReport(now));

    // A KoboToolbox-like submission and the mapping that reads it (README, "Payload mapping"); the country is a constant.
    private const string Mapping = """
        {"mode": "mapped", "fields": {
          "platform":               {"pointer": "/group_takedown/platform"},
          "account.handle":         {"pointer": "/group_takedown/account"},
          "subjectType":            {"value": "journalist"},
          "country":                {"value": "LA"},
          "action":                 {"pointer": "/group_takedown/what", "values": {"banned": "account_suspended", "deleted": "content_removed"}},
          "ground.category":        {"pointer": "/group_takedown/why", "values": {"copyright": "intellectual_property"}},
          "ground.complaintsCount": {"pointer": "/group_takedown/complaints"},
          "ground.noticeText":      {"pointer": "/group_takedown/notice"},
          "consent.publicStatistics": {"pointer": "/public"},
          "occurredAt":             {"pointer": "/group_takedown~1date"},
          "reporterContact.email":  {"pointer": "/contact/0/email"}}}
        """;

    private static JsonObject ValidSubmission() => JsonNode.Parse($$"""
        {"group_takedown": {"platform": "telegram", "account": "@kobo_{{Guid.NewGuid().ToString("N")[..8]}}", "what": "banned", "why": "copyright",
                            "complaints": "3", "notice": "We received a complaint."},
         "group_takedown/date": "2026-03-14", "public": "true", "contact": [{"email": "reporter@example.org"}], "_id": 1234, "_uuid": "{{Guid.NewGuid()}}"}
        """)!.AsObject();

    private static readonly string[] SubmissionPaths =
    [
        "group_takedown", "group_takedown.platform", "group_takedown.account", "group_takedown.what", "group_takedown.why", "group_takedown.complaints",
        "group_takedown.notice", "group_takedown/date", "public", "contact", "contact.0", "contact.0.email", "_id", "_uuid",
    ];

    private static Gen<(string[] Path, string Raw)> OddButValidSubmission(DateTimeOffset now) => Gen.Frequency(
        (4, Gen.Select(Gen.OneOf("group_takedown.account", "group_takedown.notice"), Texts.Where(t => t.Length is > 0 and <= 200 && !t.Contains('\0')), Gen.Bool)
            .Select((p, t, r) => (P(p), Json(t, r)))),
        (2, Gen.OneOf([.. ValidTimes, .. RelativeDates(now)]).Select(t => (new[] { "group_takedown/date" }, Json(t, false)))),
        (1, Gen.OneOf("banned", "deleted", "content_restricted", "demonetised").Select(v => (P("group_takedown.what"), Json(v, false)))),
        (1, Gen.OneOf("copyright", "spam", "unknown", "impersonation").Select(v => (P("group_takedown.why"), Json(v, false)))),
        (1, Gen.OneOf("\"0\"", "7", "\"2147483647\"", "null").Select(v => (P("group_takedown.complaints"), v))),
        (1, Gen.OneOf("true", "false", "\"false\"", "\"true\"").Select(v => (P("public"), v))));

    private static Shape SubmissionShape(DateTimeOffset now) =>
        new(ValidSubmission, [.. SubmissionPaths.Select(p => p.Contains('/') ? [p] : P(p))], OddButValidSubmission(now));

    private static readonly string[] MappingPaths =
    [
        "mode", "fields", "fields.platform", "fields.platform.pointer", "fields.account.handle", "fields.country", "fields.country.value", "fields.country.pointer",
        "fields.action.values", "fields.action.values.banned", "fields.occurredAt.pointer", "fields.ground.category", "fields.ground.category.values",
        "fields.nosuch", "fields.reporterContact.email.pointer", "fields.subjectType.value",
    ];

    private static Shape MappingShape() => new(() => JsonNode.Parse(Mapping)!.AsObject(),
        [.. MappingPaths.Select(p => p.StartsWith("fields.", StringComparison.Ordinal) ? FieldPath(p) : P(p))],
        Gen.Select(Gen.OneOf("/a", "/a~1b", "/a~0b", "/0", "/-", "/", "/ünï", "/\u200F"), Gen.OneOf("platform.pointer", "account.handle.pointer", "ground.noticeText.pointer"))
            .Select((pointer, target) => (FieldPath("fields." + target), Json(pointer, false))));

    /// <summary>Mapping targets contain dots themselves ("account.handle"): fields → target → pointer, value or values.</summary>
    private static string[] FieldPath(string path)
    {
        string rest = path["fields.".Length..];
        foreach (string leaf in new[] { ".pointer", ".value", ".values.banned", ".values" })
            if (rest.EndsWith(leaf, StringComparison.Ordinal)) return ["fields", rest[..^leaf.Length], .. leaf[1..].Split('.')];
        return ["fields", rest];
    }

    /// <summary>A merge patch: some fields of a report with any value (null removes), or a broken document.</summary>
    private static Gen<Body> Patches(DateTimeOffset now)
    {
        var shape = new Shape(() => new JsonObject(), [.. ReportPaths.Select(P)], OddButValidReport(now));
        var type = Gen.OneOf("application/merge-patch+json", "application/json");
        return Gen.Select(Bodies(shape, "application/merge-patch+json", ExtraNames), type).Select((b, t) =>
            b.ContentType == "application/merge-patch+json" ? b with { ContentType = t } : b);
    }

    // ---------------------------------------------------------------------------------------------------------------
    // Imports
    // ---------------------------------------------------------------------------------------------------------------

    private static readonly string[] CsvColumns =
    [
        "externalId", "platform", "accountHandle", "accountUrl", "subjectType", "country", "language", "audienceSize", "action", "groundCategory",
        "groundPolicy", "groundNoticeText", "groundComplaintsCount", "groundLookedAutomated", "occurredAt", "noticedAt", "consentNetwork",
        "consentPublicStatistics", "reporterEmail",
    ];

    private static string[] ValidCsvRow() =>
    [
        "csv-" + Guid.NewGuid().ToString("N")[..12], "vk", "@csv_" + Guid.NewGuid().ToString("N")[..8], "https://vk.com/example", "activist", Country, "lo",
        "1500", "content_removed", "community_standards", "Community Standards", "Your post was removed.", "2", "false", "2025-09-01", "2025-09-02", "true",
        "true", "reporter@example.org",
    ];

    private static string Quote(string field) => "\"" + field.Replace("\"", "\"\"") + "\"";

    private static Gen<string> CsvFields(DateTimeOffset now) => Gen.Frequency(
        (4, Texts.Where(t => t.Length < 30_000)),
        (2, Gen.OneOf([.. DateForms, .. ValidTimes, .. RelativeDates(now)])),
        (1, Gen.OneOf("", "true", "false", "TRUE", "yes", "1", "-1", "99999999999999999999", "1e400", "la", "ZZ", "L", "youtube", "x")));

    /// <summary>A CSV file: a header (complete, reordered, missing or adding a column, or given twice) and rows with hostile fields.</summary>
    private static Gen<Body> CsvFiles(DateTimeOffset now) =>
        Gen.Select(
            Gen.Int[0, 9], Gen.Select(Gen.Int[0, CsvColumns.Length - 1], CsvFields(now), Gen.Int[0, 4]).List[0, 3].List[1, 8], Gen.Int[0, 5],
            Gen.OneOf<string?>("text/csv", "text/csv", "text/csv; charset=utf-8", "TEXT/CSV", "text/csv; charset=latin1", "text/csv; header=present"),
            OneOf(BadUtf8), Gen.Bool)
        .Select((headerKind, rows, lineEnding, type, bad, withBad) =>
        {
            var columns = CsvColumns.ToList();
            switch (headerKind)
            {
                case 1: columns.Reverse(); break;
                case 2: columns.Remove("country"); break;
                case 3: columns.Add("extraColumn"); break;
                case 4: columns.Add("country"); break;
                case 5: columns[0] = "\uFEFF" + columns[0]; break;
                case 6: columns[1] = "Platform"; break;
            }
            string newline = lineEnding switch { 0 => "\r\n", 1 => "\r", _ => "\n" };
            var text = new StringBuilder(string.Join(',', columns)).Append(newline);
            foreach (var edits in rows)
            {
                var row = ValidCsvRow();
                var values = columns.Select(c => CsvColumns.Contains(c.TrimStart('\uFEFF')) ? row[Array.IndexOf(CsvColumns, c.TrimStart('\uFEFF'))] : "x").ToArray();
                var quoting = new bool[values.Length];
                foreach (var (column, value, how) in edits)
                {
                    int i = Math.Min(column, values.Length - 1);
                    values[i] = value;
                    quoting[i] = how > 0;
                }
                // Quoted properly, or not: a comma, quote or line break unquoted breaks the row, as a hand-made file would.
                text.Append(string.Join(',', values.Select((v, i) => quoting[i] || (edits.Count == 0 && v.IndexOfAny([',', '"', '\n', '\r']) >= 0) ? Quote(v) : v)));
                text.Append(edits.Any(e => e.Item3 == 4) ? ",\"unterminated" : "").Append(newline);
            }
            byte[] bytes = Encoding.UTF8.GetBytes(text.ToString());
            if (withBad) bytes = [.. bytes[..(bytes.Length / 2)], .. bad, .. bytes[(bytes.Length / 2)..]];
            return new Body(bytes, type);
        });

    /// <summary>An NDJSON file: report bodies (valid, odd or broken), blank lines, line endings of every kind.</summary>
    private static Gen<Body> NdjsonFiles(DateTimeOffset now) =>
        Gen.Select(Bodies(ReportShape(now), "application/x-ndjson", ExtraNames).Where(b => b.Bytes.Length < 200_000).List[1, 8], Gen.Int[0, 3],
                Gen.OneOf<string?>("application/x-ndjson", "application/x-ndjson", "application/x-ndjson; charset=utf-8", "application/jsonl", "application/json"))
            .Select((lines, ending, type) =>
            {
                byte[] newline = ending switch { 0 => "\r\n"u8.ToArray(), 1 => "\n\n"u8.ToArray(), 2 => "\n   \n"u8.ToArray(), _ => "\n"u8.ToArray() };
                // A body's own line breaks (a pretty-printed one, say) make it several lines of NDJSON, as they would.
                var file = new List<byte>();
                foreach (var line in lines) file.AddRange([.. line.Bytes, .. newline]);
                return new Body([.. file], type);
            });

    private static Gen<Body> ImportFiles(DateTimeOffset now) => Gen.Frequency(
        (5, CsvFiles(now)), (5, NdjsonFiles(now)),
        (1, Gen.Select(Gen.OneOf("", "\n", "\uFEFF", "{}", "platform\n", "a,b,c\n1,2"), WrongContentTypes).Select((t, type) => new Body(Encoding.UTF8.GetBytes(t), type))));

    // ---------------------------------------------------------------------------------------------------------------
    // Query strings
    // ---------------------------------------------------------------------------------------------------------------

    private static readonly string[] Numbers =
        ["-1", "0", "1", "2", "50", "100", "500", "1000", "1001", "2147483647", "2147483648", "99999999999999999999", "1.5", "1e3", "NaN", "-0", "0x10", " 5", "5 ", "+5", "٣", "５"];

    private static readonly string[] Enumerations =
    [
        "youtube", "YouTube", "youtube,telegram", "x", "intellectual_property", "INTELLECTUAL_PROPERTY", "journalist", "day", "week", "month", "year", "Week",
        "country", "platform", "category", "country,platform", "country,country", "platform,category,country", "country,", ",", "suppressed", "confirmed",
        "merged", "dismissed", "all", "true", "false", "True", "1", "yes", "account_suspended", "retracted", "reported", "LA", "la", "KZ", "ZZ", "L", "LAO", "ＬＡ",
    ];

    private Gen<string> Cursors(IReadOnlyList<string> real) => Gen.Frequency(
        (2, Gen.Byte.Array[0, 64].Select(Convert.ToBase64String)),
        (2, Gen.Byte.Array[0, 64].Select(b => Convert.ToBase64String(b).TrimEnd('=').Replace('+', '-').Replace('/', '_'))),
        (1, Gen.OneOf("", "=", "==", "%", "null", "0", "-1", "eyJ9", "e30", "eyJ0IjoiMjAyNC0wMi0yOSIsImlkIjoieCJ9", Fill("A", 4000))),
        (3, Gen.Select(OneOf(real.Count > 0 ? real : [""]), Gen.Int[0, 4], Gen.Int[0, 200], Gen.Char['!', '~']).Select((cursor, how, at, c) => how switch
        {
            0 => cursor,
            1 => cursor[..Math.Min(at, cursor.Length)],
            2 => cursor + c,
            3 => cursor.Length == 0 ? "x" : cursor[..(at % cursor.Length)] + c + cursor[(at % cursor.Length + 1)..],
            _ => new string(cursor.Reverse().ToArray()),
        })));

    /// <summary>A query string over the route's own parameters and others: every form of date, number, cursor and text, encoded or raw.</summary>
    private Gen<string> Queries(string[] names, IReadOnlyList<string> cursors, DateTimeOffset now)
    {
        var value = Gen.Frequency(
            (4, Gen.OneOf([.. DateForms, .. ValidTimes, .. RelativeDates(now)])),
            (2, Gen.OneOf(Numbers)),
            (3, Gen.OneOf(Enumerations)),
            (2, Cursors(cursors)),
            (2, Texts.Where(t => t.Length <= 2048)));
        var name = Gen.Frequency((8, OneOf(names)), (1, Gen.OneOf("unknown", "", "Country", "from[]", "to[0]", "%", "limit", "cursor", "\u200Ffrom")));
        var pair = Gen.Select(name, value, Gen.Int[0, 9]).Select((n, v, how) => how switch
        {
            0 => n + "=" + v.Replace("#", "%23"), // raw, as a careless client sends it
            1 => Uri.EscapeDataString(n),
            2 => Uri.EscapeDataString(n) + "=",
            _ => Uri.EscapeDataString(n) + "=" + Uri.EscapeDataString(v),
        });
        // Kept within the 8 KiB request line Kestrel takes (beyond it Kestrel itself answers 414, before any middleware).
        return Gen.Frequency(
            (10, pair.Array[0, 6].Select(p => string.Join('&', p)).Where(q => Encoding.UTF8.GetByteCount(q) * 3 < 7000)),
            (1, Gen.OneOf("", "&", "&&&", "=", "==", "?", "%", "%zz", "%C0%80", "%FF", "%00", "from=%00", "from=2024-02-29%00", "limit=1&limit=2",
                "from=2024-02-30&from=2024-02-29", Fill("limit=1&", 400))));
    }

    private static readonly (string Path, string[] Names)[] AnalysisRoutes =
    [
        ("/api/analysis/series", ["country", "platform", "category", "subjectType", "from", "to"]),
        ("/api/analysis/spikes", ["from", "to", "country", "platform", "category", "subjectType", "includeWithdrawn", "limit", "cursor"]),
        ("/api/analysis/campaigns", ["status", "from", "to", "country", "platform", "limit", "cursor"]),
        ("/api/analysis/civic-periods", ["country", "from", "to"]),
        ("/api/analysis/civic-periods/coincidence", ["country", "from", "to"]),
        ("/api/analysis/campaigns/{id}", []),
    ];

    private static readonly (string Path, string[] Names)[] PublicRoutes =
    [
        ("/api/public/patterns", ["groupBy", "grain", "from", "to"]),
        ("/api/public/spikes", ["country", "from", "to"]),
        ("/api/public/campaigns", []),
    ];

    private static readonly string[] ReportListNames = ["platform", "country", "action", "category", "status", "from", "to", "limit", "cursor"];

    private static readonly Gen<string> Ids = Gen.Frequency(
        (4, Gen.Guid.Select(g => g.ToString())),
        (1, Gen.OneOf("not-a-guid", "00000000-0000-0000-0000-000000000000", "%00", "1", Fill("f", 300), "{" + Guid.Empty + "}", "ｆｆ")));

    private Gen<Probe> Reads(string endpoint, (string Path, string[] Names)[] routes, IReadOnlyList<string> cursors, DateTimeOffset now, bool accept) =>
        Gen.Select(OneOf(routes), Gen.Int[0, 1_000_000], Ids, Gen.OneOf<string?>(null, null, null, "text/csv", "application/json", "*/*", "text/html", "application/xml",
                "text/csv; q=0.1, application/json"))
            .SelectMany((route, key, id, type) => Queries(route.Names.Length == 0 ? ["x"] : route.Names, cursors, now).Select(query =>
                new Probe(endpoint, HttpMethod.Get, route.Path.Replace("{id}", Uri.EscapeDataString(id)) + (query.Length > 0 ? "?" + query : ""), Accept: accept ? type : null)));

    // ---------------------------------------------------------------------------------------------------------------
    // Sending and judging
    // ---------------------------------------------------------------------------------------------------------------

    private static T Draw<T>(Gen<T> gen, ulong seed, uint stream) => gen.Generate(new PCG(stream, seed), null, out _);

    private static string Printable(byte[]? body)
    {
        if (body is null) return "(none)";
        var text = new StringBuilder();
        foreach (var rune in SafeRunes(body.Length > 3000 ? body[..3000] : body)) text.Append(rune);
        return text + (body.Length > 3000 ? $"... ({body.Length} bytes)" : "");
    }

    private static IEnumerable<string> SafeRunes(byte[] bytes)
    {
        int i = 0;
        while (i < bytes.Length)
        {
            var status = Rune.DecodeFromUtf8(bytes.AsSpan(i), out var rune, out int used);
            if (status != System.Buffers.OperationStatus.Done) { yield return $"\\x{bytes[i]:X2}"; i++; continue; }
            yield return rune.Value < 0x20 || rune.Value is 0x7F or 0x200F or 0x202E ? $"\\u{rune.Value:X4}" : rune.ToString();
            i += used;
        }
    }

    private async Task<Answer?> SendAsync(HttpClient client, Func<HttpRequestMessage> build, Probe probe, int index)
    {
        for (int attempt = 0; ; attempt++)
        {
            HttpRequestMessage request;
            try { request = build(); }
            catch (Exception e) when (e is UriFormatException or FormatException or InvalidOperationException)
            {
                Count(probe.Endpoint, 0); // a request the client library itself refuses to send
                return null;
            }
            try
            {
                using (request)
                using (var response = await client.SendAsync(request))
                {
                    string text = await response.Content.ReadAsStringAsync();
                    if (response.StatusCode == HttpStatusCode.TooManyRequests && attempt < 30)
                    {
                        Interlocked.Increment(ref _throttled);
                        await Task.Delay(TimeSpan.FromSeconds(response.Headers.RetryAfter?.Delta?.TotalSeconds ?? 1));
                        continue;
                    }
                    var answer = new Answer(response.StatusCode, response.Content.Headers.ContentType?.MediaType, text);
                    Count(probe.Endpoint, (int)answer.Status);
                    if (Violation(answer) is { } violation) Fail(probe, index, violation, answer);
                    return answer;
                }
            }
            catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
            {
                Count(probe.Endpoint, -1);
                Fail(probe, index, "no answer: " + e.Message, null);
                return null;
            }
        }
    }

    private void Count(string endpoint, int status) => _tally.GetOrAdd(endpoint, _ => new()).AddOrUpdate(status, 1, (_, n) => n + 1);

    private void Fail(Probe probe, int index, string violation, Answer? answer) =>
        _failures.Enqueue($"""
            {violation} — seed {_seed} (FUZZ_SEED={_seed}), {probe.Endpoint} probe {index}
              request: {probe.Method} {probe.Path}  Content-Type: {probe.Body?.ContentType ?? "(none)"}  Accept: {probe.Accept ?? "(default)"}
              body: {Printable(probe.Body?.Bytes)}
              answer: {(answer is null ? "(none)" : $"{(int)answer.Status} {answer.MediaType}: {(answer.Text.Length > 2000 ? answer.Text[..2000] + "..." : answer.Text)}")}
            """);

    /// <summary>What the contract forbids in any answer: a 5xx; a 4xx that is not a problem document; a 400 that names nothing.</summary>
    private static string? Violation(Answer answer)
    {
        int status = (int)answer.Status;
        if (status >= 500) return "server error";
        if (status < 400) return null;
        if (answer.MediaType != "application/problem+json") return "a 4xx that is not application/problem+json";
        try
        {
            using var problem = JsonDocument.Parse(answer.Text);
            if (problem.RootElement.ValueKind != JsonValueKind.Object || !problem.RootElement.TryGetProperty("title", out _)) return "a problem without a title";
            if (problem.RootElement.TryGetProperty("status", out var s) && s.GetInt32() != status) return "a problem whose status differs from the answer's";
            if (status == 400 && !(problem.RootElement.TryGetProperty("errors", out var errors) && errors.ValueKind == JsonValueKind.Object && errors.EnumerateObject().Any()))
                return "a 400 that names no field under errors";
        }
        catch (JsonException) { return "a problem document that is not JSON"; }
        return null;
    }

    private static HttpRequestMessage Request(Probe probe, string? path = null)
    {
        var request = new HttpRequestMessage(probe.Method, path ?? probe.Path);
        if (probe.Body is { } body)
        {
            request.Content = new ByteArrayContent(body.Bytes);
            if (body.ContentType is not null) request.Content.Headers.TryAddWithoutValidation("Content-Type", body.ContentType);
        }
        if (probe.Accept is not null) request.Headers.TryAddWithoutValidation("Accept", probe.Accept);
        if (probe.IdempotencyKey is not null) request.Headers.TryAddWithoutValidation("Idempotency-Key", probe.IdempotencyKey);
        return request;
    }

    private static Guid? ReportIdOf(Answer? answer)
    {
        if (answer is null || (int)answer.Status is < 200 or > 299) return null;
        return JsonDocument.Parse(answer.Text).RootElement.GetProperty("reportId").GetGuid();
    }

    /// <summary>Runs <paramref name="count"/> probes, <paramref name="parallel"/> at a time, each worker its own share in order.</summary>
    private static Task RunAsync(int count, int parallel, Func<int, int, Task> probe) =>
        Task.WhenAll(Enumerable.Range(0, parallel).Select(worker => Task.Run(async () =>
        {
            for (int i = worker; i < count; i += parallel) await probe(i, worker);
        })));

    private async Task<HashSet<Guid>> StoredReportsAsync(Guid organisationId) =>
        (await Database.ColumnAsync($"select id::text from \"{system.Schema("intake")}\".mt_doc_report where data->>'organisationId' = '{organisationId}'"))
            .Select(Guid.Parse).ToHashSet();

    private Task<long> VersionAsync(Guid reportId) =>
        Database.ScalarAsync($"select coalesce(max(version), 0) from \"{system.Schema("intake")}\".mt_streams where id = '{reportId}'");

    // ---------------------------------------------------------------------------------------------------------------
    // The test
    // ---------------------------------------------------------------------------------------------------------------

    [Fact]
    public async Task thousands_of_malformed_and_hostile_requests_get_no_server_error_store_nothing_when_refused_and_park_nothing()
    {
        var output = TestContext.Current.TestOutputHelper!;
        _seed = ulong.TryParse(Environment.GetEnvironmentVariable("FUZZ_SEED"), out ulong given) ? given : (ulong)Random.Shared.NextInt64();
        output.WriteLine($"seed {_seed} (run again with FUZZ_SEED={_seed})");
        var now = DateTimeOffset.UtcNow;
        var started = System.Diagnostics.Stopwatch.StartNew();

        // An organisation per way in, so that what each stored is known exactly; an analyst key; a native, a mapped and a spare source.
        var reporter = await _steps.RegisterOrganisationAsync("Fuzz: reports by REST");
        var sender = await _steps.RegisterOrganisationAsync("Fuzz: webhooks");
        var importer = await _steps.RegisterOrganisationAsync("Fuzz: imports");
        var native = await _steps.AddSourceAsync(sender.OrganisationId);
        var mapped = await _steps.AddSourceAsync(sender.OrganisationId);
        var spare = await _steps.AddSourceAsync(sender.OrganisationId);
        var admin = system.Client(RunningSystem.AdminKey);
        string sourcesPath = $"/api/admin/organisations/{sender.OrganisationId}/webhook-sources";
        using (var put = await admin.PutAsync($"{sourcesPath}/{mapped.SourceId}/mapping", new StringContent(Mapping, Encoding.UTF8, "application/json")))
            Assert.Equal(HttpStatusCode.OK, put.StatusCode);
        string analystKey;
        using (var issued = await admin.PostAsJsonAsync($"/api/admin/organisations/{reporter.OrganisationId}/api-keys", new { roles = new[] { "analyst" } }))
        {
            Assert.Equal(HttpStatusCode.Created, issued.StatusCode);
            analystKey = JsonDocument.Parse(await issued.Content.ReadAsStringAsync()).RootElement.GetProperty("apiKey").GetString()!;
        }
        var reporterClient = system.Client(reporter.ApiKey);
        var importerClient = system.Client(importer.ApiKey);
        var analyst = system.Client(analystKey);
        var anonymous = system.Client();
        // The analysis routes know the key once its event has reached Correlation.
        await Eventually.Until(async () => { using var r = await analyst.GetAsync($"/api/analysis/series?country={Country}"); return r.StatusCode; },
            s => s == HttpStatusCode.OK, TimeSpan.FromSeconds(30), "the analyst key known to Correlation");

        // Reports to amend (one per worker, so that each amendment's effect on its report's version is known) and real cursors to mutate.
        const int amenders = 3;
        var targets = new List<Guid>();
        for (int i = 0; i < amenders; i++) targets.Add(await _steps.SubmitAsync(reporter, ValidReport().ToJsonString()));
        var cursors = new List<string>();
        using (var page = await reporterClient.GetAsync("/api/reports?limit=1"))
            if (JsonDocument.Parse(await page.Content.ReadAsStringAsync()).RootElement.TryGetProperty("next", out var next) && next.ValueKind == JsonValueKind.String)
                cursors.Add(next.GetString()!);

        var accepted = new ConcurrentDictionary<Guid, string>();
        var acceptedWebhooks = new ConcurrentDictionary<Guid, string>();
        var imports = new ConcurrentBag<Guid>();
        int unchangedAmendments = 0;

        var reportBodies = Bodies(ReportShape(now), "application/json", ExtraNames);
        var keys = Gen.Frequency((20, Gen.Guid.Select(g => (string?)g.ToString())), (1, Gen.OneOf<string?>(null, "", " ", "key with spaces", Fill("k", 5000), "\t", "%00")));
        var probes = new List<(int Count, int Parallel, Func<int, int, Task> Run)>
        {
            (ReportCount, 3, async (i, _) =>
            {
                var (body, key) = Draw(Gen.Select(reportBodies, keys), _seed, 1_000_000 + (uint)i);
                var probe = new Probe("POST /api/reports", HttpMethod.Post, "/api/reports", body, IdempotencyKey: key);
                if (ReportIdOf(await SendAsync(reporterClient, () => Request(probe), probe, i)) is { } id) accepted[id] = Printable(body.Bytes);
            }),
            (AmendmentCount, amenders, async (i, worker) =>
            {
                var (body, foreign) = Draw(Gen.Select(Patches(now), Gen.Int[0, 19]), _seed, 2_000_000 + (uint)i);
                Guid target = targets[worker];
                string path = foreign switch { 0 => $"/api/reports/{Guid.NewGuid()}", 1 => "/api/reports/not-a-guid", _ => $"/api/reports/{target}" };
                var probe = new Probe("PATCH /api/reports/{id}", HttpMethod.Patch, path, body);
                long before = await VersionAsync(target);
                var answer = await SendAsync(reporterClient, () => Request(probe), probe, i);
                long after = await VersionAsync(target);
                bool ok = answer is not null && (int)answer.Status is >= 200 and < 300;
                if (!ok && after != before) Fail(probe, i, $"a refused amendment changed the report (version {before} → {after})", answer);
                if (ok && after - before is < 0 or > 1) Fail(probe, i, $"an amendment recorded {after - before} events", answer);
                if (ok && after == before) Interlocked.Increment(ref unchangedAmendments);
            }),
            (NativeWebhookCount, 2, async (i, _) =>
            {
                var body = Draw(reportBodies, _seed, 3_000_000 + (uint)i);
                var probe = new Probe("POST /webhooks/{sourceId} (native)", HttpMethod.Post, $"/webhooks/{native.SourceId}", body);
                var answer = await SendAsync(anonymous, () => new WebhookSigner(native.Secret).Request(probe.Path, body.Bytes, body.ContentType), probe, i);
                if (answer?.Status == HttpStatusCode.Unauthorized) Fail(probe, i, "a correctly signed webhook refused as unsigned", answer);
                if (ReportIdOf(answer) is { } id) acceptedWebhooks[id] = Printable(body.Bytes);
            }),
            (MappedWebhookCount, 2, async (i, _) =>
            {
                var body = Draw(Bodies(SubmissionShape(now), "application/json", ["Group_takedown", "_country", "", "$ref", "group_takedown/date "]), _seed, 4_000_000 + (uint)i);
                var probe = new Probe("POST /webhooks/{sourceId} (mapped)", HttpMethod.Post, $"/webhooks/{mapped.SourceId}", body);
                var answer = await SendAsync(anonymous, () => new WebhookSigner(mapped.Secret).Request(probe.Path, body.Bytes, body.ContentType), probe, i);
                if (answer?.Status == HttpStatusCode.Unauthorized) Fail(probe, i, "a correctly signed webhook refused as unsigned", answer);
                if (ReportIdOf(answer) is { } id) acceptedWebhooks[id] = Printable(body.Bytes);
            }),
            (MappingCount, 1, async (i, _) =>
            {
                var body = Draw(Bodies(MappingShape(), "application/json", ["Mode", "field", "", "$type"]), _seed, 5_000_000 + (uint)i);
                var probe = new Probe("PUT .../webhook-sources/{sourceId}/mapping", HttpMethod.Put, $"{sourcesPath}/{spare.SourceId}/mapping", body);
                await SendAsync(admin, () => Request(probe), probe, i);
            }),
            (ImportCount, 2, async (i, _) =>
            {
                var body = Draw(ImportFiles(now), _seed, 6_000_000 + (uint)i);
                var probe = new Probe($"POST /api/reports/imports", HttpMethod.Post, "/api/reports/imports", body);
                var answer = await SendAsync(importerClient, () => Request(probe), probe, i);
                if (answer is not null && (int)answer.Status is >= 200 and < 300)
                    imports.Add(JsonDocument.Parse(answer.Text).RootElement.GetProperty("importId").GetGuid());
            }),
            (ReportListCount, 1, async (i, _) =>
            {
                var probe = Draw(Reads("GET /api/reports", [("/api/reports", ReportListNames)], cursors, now, accept: false), _seed, 7_000_000 + (uint)i);
                await SendAsync(reporterClient, () => Request(probe), probe, i);
            }),
            (AnalysisCount, 2, async (i, _) =>
            {
                var probe = Draw(Reads("GET /api/analysis/...", AnalysisRoutes, cursors, now, accept: false), _seed, 8_000_000 + (uint)i);
                await SendAsync(analyst, () => Request(probe), probe, i);
            }),
            (PublicCount, 1, async (i, _) =>
            {
                var probe = Draw(Reads("GET /api/public/...", PublicRoutes, cursors, now, accept: true), _seed, 9_000_000 + (uint)i);
                await SendAsync(anonymous, () => Request(probe), probe, i);
            }),
        };
        await Task.WhenAll(probes.Select(p => RunAsync(p.Count, p.Parallel, p.Run)));
        var sending = started.Elapsed;

        // Every import finished, each row stored or rejected.
        int importedRows = 0, rejectedRows = 0;
        var finishing = System.Diagnostics.Stopwatch.StartNew();
        foreach (Guid importId in imports)
        {
            JsonElement progress;
            do
            {
                using var r = await importerClient.GetAsync($"/api/reports/imports/{importId}");
                progress = JsonDocument.Parse(await r.Content.ReadAsStringAsync()).RootElement.Clone();
                if (r.StatusCode == HttpStatusCode.OK && progress.GetProperty("status").GetString() is "completed" or "failed") break;
                await Task.Delay(r.StatusCode == HttpStatusCode.TooManyRequests ? 1000 : 200); // the importer's key has its rate limit too
            } while (finishing.Elapsed < TimeSpan.FromMinutes(3));
            if (progress.GetProperty("status").ValueKind != JsonValueKind.String || progress.GetProperty("status").GetString() is not ("completed" or "failed"))
            {
                _failures.Enqueue($"import {importId} never finished — seed {_seed}: {progress}\n" +
                                  string.Join('\n', system.RecentOutput.Split('\n').Where(l => l.Contains("mport", StringComparison.Ordinal)).TakeLast(10)));
                continue;
            }
            importedRows += progress.GetProperty("accepted").GetInt32();
            rejectedRows += progress.GetProperty("rejected").GetInt32();
        }

        // Stored: exactly what was acknowledged — nothing for a refused request.
        var stored = await StoredReportsAsync(reporter.OrganisationId);
        foreach (Guid extra in stored.Except(accepted.Keys).Except(targets))
            _failures.Enqueue($"report {extra} stored for a refused POST /api/reports — seed {_seed}");
        foreach (Guid missing in accepted.Keys.Except(stored)) _failures.Enqueue($"report {missing} acknowledged but not stored — seed {_seed}");
        var storedWebhooks = await StoredReportsAsync(sender.OrganisationId);
        foreach (Guid extra in storedWebhooks.Except(acceptedWebhooks.Keys))
            _failures.Enqueue($"report {extra} stored for a refused webhook — seed {_seed}");
        foreach (Guid missing in acceptedWebhooks.Keys.Except(storedWebhooks)) _failures.Enqueue($"report {missing} acknowledged but not stored — seed {_seed}");
        Assert.Equal(importedRows, (await StoredReportsAsync(importer.OrganisationId)).Count);

        // Everything accepted went everywhere it goes, and nothing was parked on the way.
        await _steps.SettledAsync();
        using (var parked = await admin.GetAsync("/api/admin/parked"))
        {
            Assert.Equal(HttpStatusCode.OK, parked.StatusCode);
            var list = JsonDocument.Parse(await parked.Content.ReadAsStringAsync()).RootElement;
            foreach (var item in list.GetProperty("items").EnumerateArray()) _failures.Enqueue($"parked after an accepted request — seed {_seed}: {item}");
            Assert.Empty(list.GetProperty("unavailable").EnumerateArray());
        }

        int total = _tally.Values.Sum(t => t.Values.Sum());
        int ok = _tally.Values.Sum(t => t.Where(s => s.Key is >= 200 and < 300).Sum(s => s.Value));
        int refused = _tally.Values.Sum(t => t.Where(s => s.Key is >= 400 and < 500).Sum(s => s.Value));
        int errors = _tally.Values.Sum(t => t.Where(s => s.Key >= 500).Sum(s => s.Value));
        foreach (var (endpoint, statuses) in _tally.OrderBy(t => t.Key, StringComparer.Ordinal))
            output.WriteLine($"{endpoint}: {statuses.Values.Sum()} tried — " +
                             string.Join(", ", statuses.OrderBy(s => s.Key).Select(s => $"{(s.Key == 0 ? "not sendable" : s.Key == -1 ? "no answer" : s.Key.ToString(CultureInfo.InvariantCulture))} ×{s.Value}")));
        output.WriteLine($"total {total} tried: {ok} accepted, {refused} refused (4xx), {errors} 5xx; {accepted.Count} reports by REST, " +
                         $"{acceptedWebhooks.Count} by webhook, {importedRows} import rows stored and {rejectedRows} rejected from {imports.Count} imports; " +
                         $"{unchangedAmendments} amendments accepted that changed nothing; {_throttled} answers of 429 sent again; " +
                         $"sent in {sending.TotalSeconds:F0} s, settled in {(started.Elapsed - sending).TotalSeconds:F0} s; seed {_seed}");
        foreach (string failure in _failures.Take(30)) output.WriteLine(failure);
        Assert.True(_failures.IsEmpty, $"{_failures.Count} violations (seed {_seed}); the first:\n{string.Join("\n", _failures.Take(5))}");
        Assert.True(total >= 3000, $"only {total} requests were sent");
    }
}
