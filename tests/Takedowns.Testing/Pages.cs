using System.Net;
using System.Text.Json;

namespace Takedowns.Testing;

/// <summary>Reads a paged list to its end, following each page's <c>next</c> cursor.</summary>
public static class Pages
{
    /// <summary>The ids (the items' <paramref name="idName"/>) of every page of <paramref name="path"/> at <paramref name="limit"/> a page, in order.</summary>
    public static async Task<List<Guid>> AllAsync(HttpClient client, string path, string idName, int limit)
    {
        var seen = new List<Guid>();
        string? cursor = null;
        for (int pages = 0; ; pages++)
        {
            if (pages >= 1000) throw new InvalidOperationException($"{path}: paging does not end");
            using var page = await client.GetAsync($"{path}{(path.Contains('?') ? '&' : '?')}limit={limit}{(cursor is null ? "" : $"&cursor={cursor}")}");
            if (page.StatusCode != HttpStatusCode.OK)
                throw new InvalidOperationException($"{path}: {(int)page.StatusCode} {await page.Content.ReadAsStringAsync()}");
            using var json = JsonDocument.Parse(await page.Content.ReadAsStringAsync());
            seen.AddRange(json.RootElement.GetProperty("items").EnumerateArray().Select(i => i.GetProperty(idName).GetGuid()));
            cursor = json.RootElement.TryGetProperty("next", out var n) && n.ValueKind == JsonValueKind.String ? n.GetString() : null;
            if (cursor is null) return seen;
        }
    }
}
