using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;
using Takedowns.Intake.Imports;
using Takedowns.ServiceDefaults;

namespace Takedowns.Intake.Webhooks;

[JsonConverter(typeof(JsonStringEnumConverter<MappingMode>))]
public enum MappingMode
{
    [JsonStringEnumMemberName("native")] Native,
    [JsonStringEnumMemberName("mapped")] Mapped,
}

/// <summary>
/// Where one report field comes from in a sender's own payload: a JSON Pointer (RFC 6901), or a constant value, with an
/// optional translation of the sender's codes into ours (a form's "copyright" into "intellectual_property", say).
/// </summary>
public sealed record FieldMapping(string? Pointer = null, JsonNode? Value = null, IReadOnlyDictionary<string, string>? Values = null);

/// <summary>How a source's payloads become reports: our own JSON (native) or a declared mapping (mapped).</summary>
public sealed record PayloadMapping(MappingMode Mode, IReadOnlyDictionary<string, FieldMapping>? Fields = null)
{
    public static readonly PayloadMapping Native = new(MappingMode.Native);
}

/// <summary>A payload that its source's mapping cannot turn into a report: names the pointer that failed.</summary>
public sealed record MappingFailure(string Field, string Pointer, string Message);

public static class PayloadMappings
{
    /// <summary>The report fields a mapping may fill: every scalar field of the submission body.</summary>
    public static readonly IReadOnlySet<string> Targets = ImportRows.Columns.Select(c => c.Field).ToHashSet(StringComparer.Ordinal);

    private static readonly string[] Required = ["platform", "account.handle", "subjectType", "country", "action", "ground.category", "occurredAt"];
    private static readonly HashSet<string> Numbers = ["audienceSize", "ground.complaintsCount"];
    private static readonly HashSet<string> Booleans =
        ["ground.lookedAutomated", "consent.network", "consent.platform", "consent.publicStatistics", "consent.caseStudy"];

    public static PayloadMapping? Validate(PayloadMapping? mapping, ValidationErrors errors)
    {
        if (mapping is null) { errors.Add("mode", "Required: native or mapped."); return null; }
        if (mapping.Mode == MappingMode.Native)
        {
            if (mapping.Fields is { Count: > 0 }) errors.Add("fields", "A native source takes our JSON as it is; fields are only for mode mapped.");
            return errors.IsEmpty ? PayloadMapping.Native : null;
        }
        var fields = mapping.Fields ?? new Dictionary<string, FieldMapping>();
        foreach (var (target, field) in fields)
        {
            if (!Targets.Contains(target)) errors.Add($"fields.{target}", $"Not a report field. Fields: {string.Join(", ", Targets.Order())}.");
            else if (field is null || (field.Pointer is null && field.Value is null)) errors.Add($"fields.{target}", "Give a pointer, a value, or both.");
            else if (field.Pointer is { } p && p.Length > 0 && p[0] != '/') errors.Add($"fields.{target}.pointer", "A JSON Pointer starts with '/'.");
        }
        foreach (var (target, field) in fields.Where(f => f.Value is not null))
        {
            // Constants and codes are kept as given: text with NUL would fail where the source is stored.
            if (field.Value?.ToJsonString().Contains("\\u0000", StringComparison.Ordinal) == true) errors.Add($"fields.{target}.value", NoNulText.Message);
            if (field.Values?.Keys.Any(NoNulText.Holds) == true) errors.Add($"fields.{target}.values", NoNulText.Message);
        }
        foreach (string target in Required.Where(t => !fields.ContainsKey(t)))
            errors.Add($"fields.{target}", "Required: every report needs this field.");
        return errors.IsEmpty ? mapping with { Fields = fields } : null;
    }

    /// <summary>Builds the submission body from a sender's payload, or names the first pointer that failed.</summary>
    public static (byte[]? Body, MappingFailure? Failure) Apply(PayloadMapping mapping, ReadOnlySpan<byte> payload)
    {
        JsonNode? root;
        try
        {
            root = JsonNode.Parse(payload, documentOptions: new JsonDocumentOptions { MaxDepth = 64, AllowDuplicateProperties = false });
        }
        catch (JsonException e) when (JsonBody.Duplicate(e) is { } field)
        {
            return (null, new MappingFailure("body", "", $"The payload gives '{field}' more than once."));
        }
        catch (JsonException)
        {
            return (null, new MappingFailure("body", "", "The payload is not valid JSON."));
        }

        var report = new JsonObject();
        foreach (var (target, field) in mapping.Fields!)
        {
            JsonNode? value = null;
            if (field.Pointer is { } pointer)
            {
                if (!TryResolve(root, pointer, out value) || value is null)
                {
                    if (field.Value is null && Required.Contains(target))
                        return (null, new MappingFailure(target, pointer, $"The payload has nothing at {pointer}."));
                    value = null;
                }
            }
            value ??= field.Value?.DeepClone();
            if (value is null) continue;
            // A JSON tree keeps text that is not Unicode (bytes that are not UTF-8, "\ud800") until it is read: refused here, not failing later.
            if (value is JsonValue text && text.GetValueKind() == JsonValueKind.String && !IsUnicode(text))
                return (null, new MappingFailure(target, field.Pointer ?? "", $"The value at {field.Pointer} is not Unicode text."));

            if (field.Values is { } codes && value is JsonValue v && v.TryGetValue(out string? code) && codes.TryGetValue(code, out var ours))
                value = JsonValue.Create(ours);
            if (!Coerce(target, ref value))
                return (null, new MappingFailure(target, field.Pointer ?? "", $"The value at {field.Pointer} does not fit {target}."));
            Set(report, target, value!.Parent is null ? value : value.DeepClone());
        }
        return (JsonSerializer.SerializeToUtf8Bytes(report), null);
    }

    private static bool IsUnicode(JsonValue text)
    {
        try
        {
            text.GetValue<string>();
            return true;
        }
        catch (InvalidOperationException)
        {
            return false;
        }
    }

    private static bool Coerce(string target, ref JsonNode? value)
    {
        if (value is not JsonValue v) return value is null;
        if (Numbers.Contains(target) && v.TryGetValue(out string? n))
        {
            if (!long.TryParse(n, NumberStyles.Integer, CultureInfo.InvariantCulture, out long parsed)) return false;
            value = JsonValue.Create(parsed);
        }
        else if (Booleans.Contains(target) && v.TryGetValue(out string? b))
        {
            bool? parsed = b.ToLowerInvariant() switch { "true" or "yes" or "1" => true, "false" or "no" or "0" => false, _ => null };
            if (parsed is null) return false;
            value = JsonValue.Create(parsed.Value);
        }
        else if (!Numbers.Contains(target) && !Booleans.Contains(target) && v.GetValueKind() is JsonValueKind.Number or JsonValueKind.True or JsonValueKind.False)
        {
            value = JsonValue.Create(v.ToJsonString().Trim('"'));
        }
        return true;
    }

    private static void Set(JsonObject report, string target, JsonNode value)
    {
        string[] parts = target.Split('.');
        var node = report;
        foreach (string part in parts[..^1])
        {
            if (node[part] is not JsonObject child) node[part] = child = new JsonObject();
            node = child;
        }
        node[parts[^1]] = value;
    }

    /// <summary>RFC 6901: "" is the whole document; ~1 is '/', ~0 is '~'; array members by index.</summary>
    public static bool TryResolve(JsonNode? root, string pointer, out JsonNode? value)
    {
        value = root;
        if (pointer.Length == 0) return true;
        foreach (string raw in pointer[1..].Split('/'))
        {
            string token = raw.Replace("~1", "/").Replace("~0", "~");
            switch (value)
            {
                case JsonObject o when o.TryGetPropertyValue(token, out var next):
                    value = next;
                    break;
                case JsonArray a when int.TryParse(token, NumberStyles.None, CultureInfo.InvariantCulture, out int i) && i < a.Count:
                    value = a[i];
                    break;
                default:
                    value = null;
                    return false;
            }
        }
        return true;
    }
}
