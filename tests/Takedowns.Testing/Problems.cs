using System.Net;
using System.Text.Json;

namespace Takedowns.Testing;

public static class Problems
{
    /// <summary>Fails unless the answer is a 400 problem-details document whose errors name <paramref name="field"/>.</summary>
    public static async Task AssertNamesFieldAsync(HttpResponseMessage response, string field)
    {
        string body = await response.Content.ReadAsStringAsync();
        if (response.StatusCode != HttpStatusCode.BadRequest)
            throw new InvalidOperationException($"Expected 400 naming '{field}', got {(int)response.StatusCode}: {body}");
        using var json = JsonDocument.Parse(body);
        if (!json.RootElement.TryGetProperty("errors", out var errors) || !errors.TryGetProperty(field, out _))
            throw new InvalidOperationException($"Expected the errors to name '{field}': {body}");
    }
}
