using System.Globalization;
using System.Text;
using CsvHelper;
using Takedowns.Intake.Reports;
using Takedowns.ServiceDefaults;

namespace Takedowns.Intake.Imports;

/// <summary>One row of an import: its line, and either the parsed input or why it could not be parsed.</summary>
public sealed record ImportRow(long Line, ReportInput? Input, string? Field = null, string? Message = null);

/// <summary>Thrown when the file as a whole cannot be read (a CSV header naming unknown columns, say).</summary>
public sealed class ImportFormatException(string message) : Exception(message);

/// <summary>Reads rows one at a time from a stream, so a file of any size needs only one row in memory.</summary>
public static class ImportRows
{
    /// <summary>The CSV columns, with the field of the JSON body each one fills. Only accountHandle ... occurredAt are required.</summary>
    public static readonly IReadOnlyList<(string Column, string Field)> Columns =
    [
        ("externalId", "externalId"), ("platform", "platform"), ("accountHandle", "account.handle"), ("accountUrl", "account.url"),
        ("accountPlatformId", "account.platformId"), ("subjectType", "subjectType"), ("country", "country"), ("language", "language"),
        ("audienceSize", "audienceSize"), ("action", "action"), ("groundCategory", "ground.category"), ("groundPolicy", "ground.policy"),
        ("groundNoticeText", "ground.noticeText"), ("groundClaimant", "ground.claimant"), ("groundComplaintsCount", "ground.complaintsCount"),
        ("groundLookedAutomated", "ground.lookedAutomated"), ("groundClaimedOriginalUrl", "ground.claimedOriginalUrl"), ("occurredAt", "occurredAt"), ("noticedAt", "noticedAt"),
        ("consentNetwork", "consent.network"), ("consentPlatform", "consent.platform"),
        ("consentPublicStatistics", "consent.publicStatistics"), ("consentCaseStudy", "consent.caseStudy"),
        ("reporterName", "reporterContact.name"), ("reporterEmail", "reporterContact.email"), ("reporterPhone", "reporterContact.phone"),
        ("reporterMessenger", "reporterContact.messenger"),
    ];

    private static readonly string[] Required = ["platform", "accountHandle", "subjectType", "country", "action", "groundCategory", "occurredAt"];
    private static readonly Dictionary<string, string> ColumnOfField = Columns.ToDictionary(c => c.Field, c => c.Column);

    /// <summary>The CSV column for a JSON field name, so CSV errors name what the sender wrote.</summary>
    public static string CsvColumnOf(string field) => ColumnOfField.GetValueOrDefault(field, field);

    public static IEnumerable<ImportRow> Read(ImportFormat format, Stream stream) =>
        format == ImportFormat.Csv ? ReadCsv(stream) : ReadNdjson(stream);

    private static IEnumerable<ImportRow> ReadCsv(Stream stream)
    {
        var damaged = new Queue<long>();
        var options = new CsvReaderOptions
        {
            Separator = ',',
            HasHeader = true,
            AllowLineBreaksInQuotes = true,
            TrackLineNumbers = true,
            TrimWhitespace = true,
            IncludeValuesInExceptions = false, // rows hold personal data: never copy them into an exception
            MaxRecordSize = JsonBody.MaxBytes,
            OnRecordError = e => { damaged.Enqueue(e.RowNumber); return true; },
        };
        using var csv = CsvReader.Create(stream, options, true);
        try
        {
            csv.ReadHeader();
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            throw new ImportFormatException("The header row cannot be read: " + e.GetType().Name);
        }
        var header = csv.Headers?.ToArray() ?? [];
        if (header.Length == 0) throw new ImportFormatException("The file is empty: a header row is required.");
        var known = Columns.Select(c => c.Column).ToHashSet(StringComparer.Ordinal);
        var unknown = header.Where(h => !known.Contains(h)).ToList();
        // The names are quoted with control characters escaped: a NUL in the message could not be stored with the import,
        // which then stayed running, failing to record its own failure every few seconds.
        if (unknown.Count > 0)
            throw new ImportFormatException($"Unknown columns: {string.Join(", ", unknown.Select(ImportError.Escaped))}. Known: {string.Join(", ", known)}.");
        var missing = Required.Where(r => !header.Contains(r)).ToList();
        if (missing.Count > 0) throw new ImportFormatException($"Missing required columns: {string.Join(", ", missing)}.");
        var duplicate = header.GroupBy(h => h).FirstOrDefault(g => g.Count() > 1);
        if (duplicate is not null) throw new ImportFormatException($"Column {duplicate.Key} appears twice.");
        var index = header.Select((h, i) => (h, i)).ToDictionary(p => p.h, p => p.i, StringComparer.Ordinal);

        while (csv.Read())
        {
            while (damaged.TryDequeue(out long bad)) yield return new ImportRow(bad, null, "row", "The row is not valid CSV (check its quotes).");
            long line = csv.LineNumber;
            string? Get(string column) =>
                index.TryGetValue(column, out int i) && i < csv.FieldCount && csv.GetStringOrNull(i) is { Length: > 0 } v ? v : null;
            ImportRow row;
            try
            {
                row = new ImportRow(line, FromCsv(Get));
            }
            catch (FormatException e)
            {
                row = new ImportRow(line, null, e.Data["column"] as string ?? "row", e.Message);
            }
            yield return row;
        }
        while (damaged.TryDequeue(out long bad)) yield return new ImportRow(bad, null, "row", "The row is not valid CSV (check its quotes).");
    }

    private static ReportInput FromCsv(Func<string, string?> get)
    {
        bool? Bool(string column) => get(column) switch
        {
            null => null,
            var v when bool.TryParse(v, out bool b) => b,
            "1" or "yes" => true,
            "0" or "no" => false,
            _ => throw Bad(column, "Must be true or false."),
        };
        long? Long(string column) => get(column) is { } v
            ? long.TryParse(v, NumberStyles.Integer, CultureInfo.InvariantCulture, out long n) ? n : throw Bad(column, "Must be a whole number.")
            : null;

        bool anyConsent = new[] { "consentNetwork", "consentPlatform", "consentPublicStatistics", "consentCaseStudy" }.Any(c => get(c) is not null);
        bool anyContact = new[] { "reporterName", "reporterEmail", "reporterPhone", "reporterMessenger" }.Any(c => get(c) is not null);
        long? complaints = Long("groundComplaintsCount");
        return new ReportInput
        {
            ExternalId = get("externalId"),
            Platform = get("platform"),
            Account = new AccountInput { Handle = get("accountHandle"), Url = get("accountUrl"), PlatformId = get("accountPlatformId") },
            SubjectType = get("subjectType"),
            Country = get("country"),
            Language = get("language"),
            AudienceSize = Long("audienceSize"),
            Action = get("action"),
            Ground = new GroundInput
            {
                Category = get("groundCategory"), Policy = get("groundPolicy"), NoticeText = get("groundNoticeText"),
                Claimant = get("groundClaimant"),
                ComplaintsCount = complaints is null ? null : complaints <= int.MaxValue ? (int)complaints : throw Bad("groundComplaintsCount", "Too large."),
                LookedAutomated = Bool("groundLookedAutomated"),
                ClaimedOriginalUrl = get("groundClaimedOriginalUrl"),
            },
            OccurredAt = get("occurredAt"),
            NoticedAt = get("noticedAt"),
            Consent = anyConsent
                ? new ConsentInput
                {
                    Network = Bool("consentNetwork"), Platform = Bool("consentPlatform"),
                    PublicStatistics = Bool("consentPublicStatistics"), CaseStudy = Bool("consentCaseStudy"),
                }
                : null,
            ReporterContact = anyContact
                ? new ReporterContactInput
                {
                    Name = get("reporterName"), Email = get("reporterEmail"), Phone = get("reporterPhone"), Messenger = get("reporterMessenger"),
                }
                : null,
        };
    }

    private static FormatException Bad(string column, string message) => new(message) { Data = { ["column"] = column } };

    private static IEnumerable<ImportRow> ReadNdjson(Stream stream)
    {
        using var reader = new StreamReader(stream, Encoding.UTF8, detectEncodingFromByteOrderMarks: true);
        long line = 0;
        while (reader.ReadLine() is { } text)
        {
            line++;
            if (string.IsNullOrWhiteSpace(text)) continue;
            if (text.Length > JsonBody.MaxBytes)
            {
                yield return new ImportRow(line, null, "body", $"A line must not be longer than {JsonBody.MaxBytes} bytes.");
                continue;
            }
            if (JsonBody.TryDeserialize<ReportInput>(Encoding.UTF8.GetBytes(text), out var input, out var errors, ReportValidation.ServerOwned))
                yield return new ImportRow(line, input);
            else
            {
                var (field, messages) = errors.First();
                yield return new ImportRow(line, null, field, messages[0]);
            }
        }
    }
}
