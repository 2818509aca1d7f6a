using System.Text.Json;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Takedowns.ServiceDefaults;

/// <summary>
/// The readiness answer as JSON: the overall status, and each check's status and description, so a degraded service says
/// why (which subscription lags, what is parked) and an operator need not guess. No exception text: it can carry data.
/// </summary>
public static class HealthJson
{
    public static Task WriteAsync(HttpContext context, HealthReport report)
    {
        context.Response.ContentType = "application/json; charset=utf-8";
        return context.Response.WriteAsync(JsonSerializer.Serialize(new
        {
            status = report.Status.ToString(),
            checks = report.Entries.OrderBy(e => e.Key, StringComparer.Ordinal).Select(e => new
            {
                name = e.Key,
                status = e.Value.Status.ToString(),
                description = e.Value.Description,
            }),
        }));
    }

    /// <summary>The overall status in a readiness answer (JSON as above, or the plain text of ASP.NET's default writer).</summary>
    public static HealthStatus? StatusOf(string body)
    {
        string? status = body;
        try
        {
            using var json = JsonDocument.Parse(body);
            status = json.RootElement.TryGetProperty("status", out var s) ? s.GetString() : null;
        }
        catch (JsonException)
        {
        }
        return Enum.TryParse<HealthStatus>(status, out var parsed) ? parsed : null;
    }
}
