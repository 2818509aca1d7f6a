using System.Text.Json.Serialization;

namespace Takedowns.Intake.Imports;

[JsonConverter(typeof(JsonStringEnumConverter<ImportFormat>))]
public enum ImportFormat
{
    [JsonStringEnumMemberName("csv")] Csv,
    [JsonStringEnumMemberName("ndjson")] Ndjson,
}

[JsonConverter(typeof(JsonStringEnumConverter<ImportStatus>))]
public enum ImportStatus
{
    [JsonStringEnumMemberName("receiving")] Receiving,
    [JsonStringEnumMemberName("running")] Running,
    [JsonStringEnumMemberName("completed")] Completed,
    [JsonStringEnumMemberName("failed")] Failed,
}

/// <summary>
/// A rejected row: its line, its field (the column, for CSV) and why. Field and message are kept with control characters
/// escaped: they may quote the file (a field name holding NUL, say), and text with NUL cannot be stored, which left the
/// import running for ever, failing to record its own progress.
/// </summary>
public sealed record ImportError(long Line, string Field, string Message)
{
    public string Field { get; init; } = Escaped(Field);
    public string Message { get; init; } = Escaped(Message);

    public static string Escaped(string text) =>
        text.Any(char.IsControl) ? string.Concat(text.Select(c => char.IsControl(c) ? $"\\u{(int)c:x4}" : c.ToString())) : text;
}

/// <summary>
/// A bulk import: the uploaded file (kept as chunks until processed) and its progress. Progress is saved in the same
/// transaction as each batch of reports, so a restart resumes exactly where the last batch ended.
/// </summary>
public sealed class ImportJob
{
    public const int MaxErrorsKept = 1000;

    public Guid Id { get; set; }
    public Guid OrganisationId { get; set; }
    public ImportFormat Format { get; set; }
    public ImportStatus Status { get; set; }
    public int Chunks { get; set; }
    public long Bytes { get; set; }
    /// <summary>The first line not yet processed (lines count from 1; a CSV header is line 1).</summary>
    public long NextLine { get; set; } = 1;
    public long RowsRead { get; set; }
    public long Accepted { get; set; }
    public long Duplicates { get; set; }
    public long Rejected { get; set; }
    public List<ImportError> Errors { get; set; } = [];
    public bool ErrorsTruncated { get; set; }
    public string? Failure { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
    public DateTimeOffset? CompletedAt { get; set; }

    public void Reject(long line, string field, string message)
    {
        Rejected++;
        if (Errors.Count < MaxErrorsKept) Errors.Add(new ImportError(line, field, message));
        else ErrorsTruncated = true;
    }
}

/// <summary>A piece of an uploaded file, deleted once the import ends.</summary>
public sealed record ImportChunk(string Id, Guid ImportId, int Sequence, byte[] Data)
{
    public static string IdOf(Guid importId, int sequence) => $"{importId:N}:{sequence:D7}";
}
