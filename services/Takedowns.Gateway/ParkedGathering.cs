using System.Net;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Takedowns.Gateway;

/// <summary>
/// The parked items of every service under one set of routes: a listing gathers each service's, a replay or discard of
/// one item goes to the service that has it. The caller's key is passed on, and each service checks it (admin only).
/// A service that cannot be reached is named in <c>unavailable</c> rather than hidden.
/// </summary>
public static class ParkedGathering
{
    public const string Path = "/api/admin/parked";
    public const string HttpClientName = "parked";

    public static void MapParkedGathering(this WebApplication app)
    {
        app.MapGet(Path, (Delegate)((HttpContext context) => GatherAsync(context, HttpMethod.Get, Path, "items")));
        app.MapPost(Path + "/replay", (Delegate)((HttpContext context) => GatherAsync(context, HttpMethod.Post, Path + "/replay", "results")));
        app.MapPost(Path + "/{id}/replay", (HttpContext context, string id) => OneAsync(context, HttpMethod.Post, $"{Path}/{Uri.EscapeDataString(id)}/replay"));
        app.MapDelete(Path + "/{id}", (HttpContext context, string id) => OneAsync(context, HttpMethod.Delete, $"{Path}/{Uri.EscapeDataString(id)}"));
    }

    /// <summary>Each service's instances: they share the service's database, so any one that answers speaks for all.</summary>
    private static IEnumerable<(string Service, IReadOnlyList<string> Addresses)> Services(HttpContext context)
    {
        var configuration = context.RequestServices.GetRequiredService<IConfiguration>();
        return Routes.Prefixes.Keys.Select(s => (s, Routes.Instances(configuration, s)));
    }

    /// <summary>The first answer of one of a service's instances; null when none could be reached.</summary>
    private static async Task<(HttpStatusCode Status, string Body, string? Type)?> AskAsync(
        HttpContext context, HttpClient client, HttpMethod method, IReadOnlyList<string> addresses, string path)
    {
        foreach (string address in addresses)
        {
            try
            {
                using var response = await client.SendAsync(Request(context, method, address, path), context.RequestAborted);
                return (response.StatusCode, await response.Content.ReadAsStringAsync(context.RequestAborted), response.Content.Headers.ContentType?.ToString());
            }
            catch (HttpRequestException)
            {
                // that instance is down: the next one may answer
            }
        }
        return null;
    }

    private static HttpRequestMessage Request(HttpContext context, HttpMethod method, string address, string path)
    {
        var request = new HttpRequestMessage(method, address + path);
        if (context.Request.Headers.Authorization is { Count: > 0 } authorization)
            request.Headers.TryAddWithoutValidation("Authorization", authorization.ToString());
        return request;
    }

    private static async Task<IResult> GatherAsync(HttpContext context, HttpMethod method, string path, string listName)
    {
        var client = context.RequestServices.GetRequiredService<IHttpClientFactory>().CreateClient(HttpClientName);
        var answers = await Task.WhenAll(Services(context).Select(async s =>
            await AskAsync(context, client, method, s.Addresses, path) is { } answer
                ? (s.Service, StatusCode: answer.Status, answer.Body)
                : (s.Service, StatusCode: HttpStatusCode.BadGateway, Body: "")));
        // The key is the same everywhere: a refusal by one service is the answer.
        if (answers.FirstOrDefault(a => a.StatusCode is HttpStatusCode.Unauthorized or HttpStatusCode.Forbidden) is { Service: not null } refused)
            return Results.Content(refused.Body, "application/problem+json", statusCode: (int)refused.StatusCode);
        var items = new JsonArray();
        var unavailable = new JsonArray();
        foreach (var answer in answers.OrderBy(a => a.Service, StringComparer.Ordinal))
        {
            if (answer.StatusCode != HttpStatusCode.OK || JsonNode.Parse(answer.Body)?[listName] is not JsonArray list)
            {
                unavailable.Add(answer.Service);
                continue;
            }
            foreach (var item in list.ToList())
            {
                list.Remove(item);
                items.Add(item);
            }
        }
        return Results.Json(new JsonObject { [listName] = items, ["unavailable"] = unavailable }, statusCode: 200);
    }

    private static async Task<IResult> OneAsync(HttpContext context, HttpMethod method, string path)
    {
        var client = context.RequestServices.GetRequiredService<IHttpClientFactory>().CreateClient(HttpClientName);
        var unreachable = new List<string>();
        (HttpStatusCode Status, string Body, string? Type)? notFound = null;
        foreach (var (service, addresses) in Services(context))
        {
            if (await AskAsync(context, client, method, addresses, path) is not { } answer)
            {
                unreachable.Add(service);
                continue;
            }
            if (answer.Status == HttpStatusCode.NotFound)
            {
                notFound = answer;
                continue;
            }
            return answer.Status == HttpStatusCode.NoContent ? Results.NoContent() : Results.Content(answer.Body, answer.Type, statusCode: (int)answer.Status);
        }
        if (unreachable.Count > 0)
            return Results.Problem(statusCode: StatusCodes.Status503ServiceUnavailable, title: "Not every service could be asked",
                detail: $"No service that answered has this parked item; {string.Join(", ", unreachable)} could not be reached. Try again.");
        return notFound is { } n ? Results.Content(n.Body, n.Type, statusCode: (int)n.Status)
            : Results.Problem(statusCode: StatusCodes.Status404NotFound, title: "No such parked item");
    }
}
