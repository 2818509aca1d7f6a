using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Http;

namespace Takedowns.ServiceDefaults;

/// <summary>
/// Reads a JSON request body strictly (camelCase names, unknown fields rejected, bounded size and depth) and
/// turns every failure into field-named validation errors, so the caller can answer a precise 400.
/// </summary>
public static partial class JsonBody
{
    public const int MaxBytes = 1024 * 1024;

    public static readonly JsonSerializerOptions Strict = new(JsonSerializerDefaults.Web)
    {
        PropertyNameCaseInsensitive = false,
        UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow,
        MaxDepth = 32,
        AllowDuplicateProperties = false,
        Converters = { new JsonStringEnumConverter(), new NoNulText.Converter() },
    };

    /// <summary>The raw bytes of the body, or null when it is larger than <paramref name="maxBytes"/>.</summary>
    public static async Task<byte[]?> ReadBytesAsync(HttpRequest request, CancellationToken ct, int maxBytes = MaxBytes)
    {
        if (request.ContentLength > maxBytes) return null;
        using var buffer = new MemoryStream(request.ContentLength is { } n ? (int)n : 4096);
        byte[] chunk = new byte[16 * 1024];
        int read;
        while ((read = await request.Body.ReadAsync(chunk, ct)) > 0)
        {
            if (buffer.Length + read > maxBytes) return null;
            buffer.Write(chunk, 0, read);
        }
        return buffer.ToArray();
    }

    /// <param name="serverOwned">Field names the server sets: sending one gets its own message instead of "unknown field".</param>
    public static bool TryDeserialize<T>(ReadOnlySpan<byte> json, out T? value, out Dictionary<string, string[]> errors,
        IReadOnlySet<string>? serverOwned = null)
    {
        errors = [];
        value = default;
        if (json.IsEmpty)
        {
            errors["body"] = ["A JSON object is required."];
            return false;
        }
        try
        {
            value = JsonSerializer.Deserialize<T>(json, Strict);
            if (value is null) errors["body"] = ["A JSON object is required."];
        }
        catch (JsonException e)
        {
            var (field, message) = Describe(e);
            if (serverOwned is not null && message == UnknownField && serverOwned.Contains(field))
                message = "Set by the server; do not send it.";
            errors[field] = [message];
        }
        return errors.Count == 0;
    }

    /// <summary>Reads a small JSON request body strictly, answering 400 or 413 problems itself.</summary>
    public static async Task<(T? Value, IResult? Problem)> ReadAsync<T>(HttpRequest request, CancellationToken ct, bool allowEmpty = false)
        where T : class
    {
        byte[]? body = await ReadBytesAsync(request, ct);
        if (body is null) return (null, TooLarge());
        if (allowEmpty && body.Length == 0) return (null, null);
        return TryDeserialize<T>(body, out var value, out var errors)
            ? (value, null)
            : (null, Results.ValidationProblem(errors, title: "The request is not valid."));
    }

    public static IResult TooLarge(int maxBytes = MaxBytes) => Results.Problem(
        statusCode: StatusCodes.Status413PayloadTooLarge,
        title: "Request body too large",
        detail: $"The body must not be larger than {maxBytes} bytes.");

    private const string UnknownField = "Unknown field.";

    public const string DuplicateField = "The field appears more than once.";

    /// <summary>Options for reading a body as a JSON tree: the strict bodies' depth, and a field given twice refused.</summary>
    public static readonly JsonDocumentOptions StrictDocument = new() { MaxDepth = 32, AllowDuplicateProperties = false };

    public const string InvalidTextMessage = "Must be valid Unicode text: UTF-8, and no unpaired surrogate such as \\ud800.";

    /// <summary>
    /// The field (as "evidence[0].caption"; "body" for the document itself) of the first string or name in
    /// <paramref name="json"/> that is not Unicode text: bytes that are not UTF-8, or an escaped unpaired surrogate. Null when
    /// there is none, or when <paramref name="json"/> is not JSON at all (the parser that follows says so). A JSON tree
    /// (<c>JsonNode</c>) takes such text without complaint and throws only when it is read, long after the request was judged.
    /// </summary>
    public static string? InvalidText(ReadOnlySpan<byte> json)
    {
        var reader = new Utf8JsonReader(json, new JsonReaderOptions { MaxDepth = 1024 });
        var frames = new List<(bool Array, string? Name, int Index)>();
        try
        {
            while (reader.Read())
            {
                if (reader.TokenType is JsonTokenType.EndObject or JsonTokenType.EndArray) { frames.RemoveAt(frames.Count - 1); continue; }
                if (reader.TokenType == JsonTokenType.PropertyName)
                {
                    if (!Readable(ref reader)) return PathOf(frames);
                    frames[^1] = frames[^1] with { Name = reader.GetString() };
                    continue;
                }
                if (frames.Count > 0 && frames[^1].Array) frames[^1] = frames[^1] with { Index = frames[^1].Index + 1 };
                if (reader.TokenType == JsonTokenType.String && !Readable(ref reader)) return PathOf(frames);
                if (reader.TokenType is JsonTokenType.StartObject or JsonTokenType.StartArray)
                    frames.Add((reader.TokenType == JsonTokenType.StartArray, null, -1));
            }
        }
        catch (JsonException)
        {
            // Not JSON: left to the parser.
        }
        return null;

        static bool Readable(ref Utf8JsonReader reader)
        {
            try
            {
                reader.GetString();
                return true;
            }
            catch (InvalidOperationException)
            {
                return false;
            }
        }

        static string PathOf(List<(bool Array, string? Name, int Index)> frames)
        {
            var path = new StringBuilder();
            foreach (var frame in frames)
                if (frame.Array && frame.Index >= 0) path.Append('[').Append(frame.Index).Append(']');
                else if (!frame.Array && frame.Name is not null) path.Append(path.Length > 0 ? "." : "").Append(frame.Name);
            return path.Length > 0 ? path.ToString() : "body";
        }
    }

    /// <summary>The name a JSON reader found twice in one object, when that is what <paramref name="e"/> says; else null.</summary>
    public static string? Duplicate(JsonException e) =>
        e.Message.Contains("uplicate", StringComparison.Ordinal) && QuotedName().Match(e.Message) is { Success: true } m ? m.Groups[1].Value : null;

    private static (string Field, string Message) Describe(JsonException e)
    {
        string path = FieldOf(e.Path);
        if (e.Message.Contains("could not be mapped", StringComparison.Ordinal) && QuotedName().Match(e.Message) is { Success: true } m)
        {
            string name = m.Groups[1].Value;
            string field = path.Length == 0 ? name : path == name || path.EndsWith("." + name, StringComparison.Ordinal) ? path : $"{path}.{name}";
            return (field, UnknownField);
        }
        if (Duplicate(e) is { } duplicate)
            return (path.Length == 0 || path == duplicate || path.EndsWith("." + duplicate, StringComparison.Ordinal) ? (path.Length == 0 ? duplicate : path) : $"{path}.{duplicate}", DuplicateField);
        if (e.Message.StartsWith(NoNulText.Message, StringComparison.Ordinal))
            return (path.Length == 0 ? "body" : path, NoNulText.Message);
        if (e.Message.Contains("maximum configured depth", StringComparison.Ordinal))
            return (path.Length == 0 ? "body" : path, "The JSON is nested too deeply.");
        if (e.Message.Contains("missing required properties", StringComparison.Ordinal))
            return (path.Length == 0 ? "body" : path, "A required field is missing.");
        if (path.Length > 0 && e.Message.Contains("could not be converted", StringComparison.Ordinal))
            return (path, "The value has the wrong type.");
        return ("body", "The body is not valid JSON" + (e.LineNumber is { } line ? $" (line {line + 1}, byte {e.BytePositionInLine + 1})." : "."));
    }

    /// <summary>"$.ground.category" becomes "ground.category"; "$['a b']" keeps its name.</summary>
    private static string FieldOf(string? jsonPath) =>
        string.IsNullOrEmpty(jsonPath) || jsonPath == "$"
            ? ""
            : jsonPath.TrimStart('$').TrimStart('.').Replace("['", ".").Replace("']", "").TrimStart('.');

    [GeneratedRegex("'([^']+)'")]
    private static partial Regex QuotedName();
}

/// <summary>Collects field-named validation errors in the shape of <see cref="Results.ValidationProblem"/>.</summary>
public sealed class ValidationErrors
{
    private readonly Dictionary<string, List<string>> _errors = new(StringComparer.Ordinal);

    public bool IsEmpty => _errors.Count == 0;

    public void Add(string field, string message)
    {
        if (!_errors.TryGetValue(field, out var list)) _errors[field] = list = [];
        list.Add(message);
    }

    public IDictionary<string, string[]> ToDictionary() => _errors.ToDictionary(p => p.Key, p => p.Value.ToArray());

    public IResult ToProblem() => Results.ValidationProblem(ToDictionary(), title: "The request is not valid.");
}
