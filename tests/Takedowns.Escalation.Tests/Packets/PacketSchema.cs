using System.Text.Json;
using Json.Schema;

namespace Takedowns.Escalation.Tests.Packets;

/// <summary>Checks packet JSON against the schema the service publishes (JSON Schema draft 2020-12, formats asserted).</summary>
public static class PacketSchema
{
    // The library registers a schema by its $id once per process: the served text is parsed once, and must not change.
    private static readonly System.Collections.Concurrent.ConcurrentDictionary<string, Lazy<JsonSchema>> Parsed = new();

    public static async Task AssertValidAsync(HttpClient client, string packetJson)
    {
        using var response = await client.GetAsync("/api/escalations/schema/v1.json");
        Assert.Equal("application/schema+json", response.Content.Headers.ContentType?.MediaType);
        string text = await response.Content.ReadAsStringAsync();
        var schema = Parsed.GetOrAdd(text, t => new Lazy<JsonSchema>(() => JsonSchema.FromText(t))).Value;
        Assert.Single(Parsed);
        using var packet = JsonDocument.Parse(packetJson);
        var result = schema.Evaluate(packet.RootElement, new EvaluationOptions { OutputFormat = OutputFormat.List, RequireFormatValidation = true });
        Assert.True(result.IsValid, "The packet does not match its schema:\n" + string.Join("\n",
            (result.Details ?? []).Where(d => d.Errors is { Count: > 0 }).SelectMany(d => d.Errors!.Select(e => $"{d.InstanceLocation}: {e.Key}: {e.Value}"))));
    }
}
