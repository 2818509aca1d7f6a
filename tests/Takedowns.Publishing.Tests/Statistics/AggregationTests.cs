using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using Takedowns.Contracts;
using Takedowns.Contracts.Reports;
using Takedowns.Testing;

namespace Takedowns.Publishing.Tests.Statistics;

/// <summary><c>GET /api/public/aggregation</c> on the real PostgreSQL and RabbitMQ: axes, filters, CSV, suppression and bad queries.</summary>
public sealed class AggregationTests(ServiceHost<Program> host) : IClassFixture<ServiceHost<Program>>
{
    private async Task<JsonElement> GetAsync(string query)
    {
        using var response = await host.CreateClient().GetAsync($"/api/public/aggregation?{query}");
        string body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, body);
        return JsonDocument.Parse(body).RootElement.Clone();
    }

    private static ReportSubmitted Report(string country, Platform platform, DateOnly day, TakedownAction action = TakedownAction.AccountSuspended) =>
        Submissions.Report(country, platform, GroundCategory.Spam, day) with { Action = action };

    /// <summary>
    /// A month (no other test uses it) of 20 reports: KG 8 on Telegram and 6 on VK, TJ 4 on Telegram and 2 on VK (below k),
    /// the VK ones of KG split 5 suspensions and 1 removal.
    /// </summary>
    private static readonly System.Runtime.CompilerServices.ConditionalWeakTable<ServiceHost<Program>, Task> Seeded = new();

    private Task SeedAsync()
    {
        lock (Seeded) return Seeded.GetValue(host, _ => SeedOnceAsync());
    }

    private async Task<DateOnly> SeedOnceAsync()
    {
        var month = new DateOnly(2019, 4, 1);
        var reports = Enumerable.Range(0, 8).Select(i => Report("KG", Platform.Telegram, month.AddDays(i)))
            .Concat(Enumerable.Range(0, 5).Select(i => Report("KG", Platform.VK, month.AddDays(i))))
            .Append(Report("KG", Platform.VK, month.AddDays(9), TakedownAction.ContentRemoved))
            .Concat(Enumerable.Range(0, 4).Select(i => Report("TJ", Platform.Telegram, month.AddDays(10 + i))))
            .Concat(Enumerable.Range(0, 2).Select(i => Report("TJ", Platform.VK, month.AddDays(20 + i))))
            .ToList();
        foreach (var r in reports) await Submissions.PublishAsync(host.Services, r);
        // The counts as they stand (patterns), then a release of them, which the aggregation answers from.
        await Eventually.Until(async () => (await host.CreateClient().GetFromJsonAsync<JsonElement>("/api/public/patterns?grain=month&from=2019-04-01&to=2019-04-30")).GetProperty("rows"),
            rows => rows.GetArrayLength() == 1 && rows[0].GetProperty("count") is { ValueKind: JsonValueKind.Number } c && c.GetInt32() == 20,
            what: "the month's 20 reports counted");
        using var released = await host.CreateAdminClient().PostAsync("/api/public/releases", null);
        Assert.Equal(HttpStatusCode.Created, released.StatusCode);
        return month;
    }

    [Fact]
    public async Task two_axes_give_a_protected_table_in_json_and_csv()
    {
        await SeedAsync();
        var table = await GetAsync("axisX=country&axisY=platform&grain=month&from=2019-04-10&to=2019-04-12");
        Assert.Equal("country", table.GetProperty("axisX").GetString());
        Assert.Equal("platform", table.GetProperty("axisY").GetString());
        Assert.Equal("month", table.GetProperty("grain").GetString());
        Assert.True(table.GetProperty("release").GetInt32() >= 1); // the latest release
        Assert.Equal(5, table.GetProperty("suppressionThreshold").GetInt32());
        var items = table.GetProperty("items").EnumerateArray().ToList();
        // from and to inside April select the whole month.
        Assert.Equal(["KG|telegram", "KG|vk", "TJ|telegram", "TJ|vk"], items.Select(i => $"{i.GetProperty("x").GetString()}|{i.GetProperty("y").GetString()}").ToArray());
        Assert.All(items, i => Assert.Equal("2019-04-01", i.GetProperty("period").GetString()));
        int? Count(string x, string y) => items.Single(i => i.GetProperty("x").GetString() == x && i.GetProperty("y").GetString() == y)
            .GetProperty("count") is { ValueKind: JsonValueKind.Number } c ? c.GetInt32() : null;
        Assert.Null(Count("TJ", "vk"));
        Assert.Null(Count("TJ", "telegram")); // 4: below k
        // TJ's 2 on VK cannot be worked out of anything published.
        var byCountry = (await GetAsync("axisX=country&grain=month&from=2019-04-01&to=2019-04-30")).GetProperty("items");
        var byPlatform = (await GetAsync("axisX=platform&grain=month&from=2019-04-01&to=2019-04-30")).GetProperty("items");
        int? Of(JsonElement list, string x) => list.EnumerateArray().Single(i => i.GetProperty("x").GetString() == x).GetProperty("count") is { ValueKind: JsonValueKind.Number } c ? c.GetInt32() : null;
        Assert.False(Of(byCountry, "TJ") is not null && Count("TJ", "telegram") is not null, "TJ on VK = TJ - TJ on Telegram");
        Assert.False(Of(byPlatform, "vk") is not null && Count("KG", "vk") is not null, "TJ on VK = VK - KG on VK");
        Assert.All(items.Where(i => i.GetProperty("suppressed").GetBoolean()), i => Assert.Equal(JsonValueKind.Null, i.GetProperty("count").ValueKind));

        var request = new HttpRequestMessage(HttpMethod.Get, "/api/public/aggregation?axisX=country&axisY=platform&grain=month&from=2019-04-01&to=2019-04-30");
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("text/csv"));
        using var csv = await host.CreateClient().SendAsync(request);
        Assert.Equal("text/csv", csv.Content.Headers.ContentType?.MediaType);
        string[] lines = (await csv.Content.ReadAsStringAsync()).Split("\r\n", StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal("country,platform,period,count,suppressed", lines[0]);
        Assert.Equal(items.Select(i => $"{i.GetProperty("x").GetString()},{i.GetProperty("y").GetString()},2019-04-01,{(i.GetProperty("count") is { ValueKind: JsonValueKind.Number } c ? c.GetInt32().ToString() : "")},{(i.GetProperty("suppressed").GetBoolean() ? "true" : "false")}"),
            lines.Skip(1));
        using var byFormat = await host.CreateClient().GetAsync("/api/public/aggregation?axisX=country&axisY=platform&grain=month&from=2019-04-01&to=2019-04-30&format=csv");
        Assert.Equal(string.Join("\r\n", lines) + "\r\n", await byFormat.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task a_filter_fixes_a_variable_and_the_period_can_be_an_axis()
    {
        await SeedAsync();
        var kg = await GetAsync("axisX=period&axisY=action&country=KG&grain=month&from=2019-04-01&to=2019-04-30");
        Assert.Equal("period", kg.GetProperty("axisX").GetString());
        var items = kg.GetProperty("items").EnumerateArray().ToList();
        Assert.Equal(["account_suspended", "content_removed"], items.Select(i => i.GetProperty("y").GetString()).ToArray());
        Assert.All(items, i => Assert.Equal("2019-04-01", i.GetProperty("x").GetString()));
        Assert.All(items, i => Assert.False(i.TryGetProperty("period", out _)));
        // The one removal is below k; KG's 14 and its 13 suspensions are not both shown, or it would be 14 - 13.
        Assert.True(items[1].GetProperty("suppressed").GetBoolean());
        var kgTotal = (await GetAsync("axisX=country&country=KG&grain=month&from=2019-04-01&to=2019-04-30")).GetProperty("items")[0];
        Assert.True(kgTotal.GetProperty("suppressed").GetBoolean() || items[0].GetProperty("suppressed").GetBoolean());

        var total = await GetAsync("axisX=period&grain=month&from=2019-04-01&to=2019-04-30");
        Assert.Equal(JsonValueKind.Null, total.GetProperty("axisY").ValueKind);
        Assert.False(total.GetProperty("items")[0].TryGetProperty("y", out _));
    }

    [Theory]
    [InlineData("", "axisX")]
    [InlineData("axisX=handle", "axisX")]
    [InlineData("axisX=country&axisY=country", "axisY")]
    [InlineData("axisX=country&axisY=organisation", "axisY")]
    [InlineData("axisX=country&grain=year", "grain")]
    [InlineData("axisX=country&from=2026-02-30", "from")]
    [InlineData("axisX=country&from=2026-02-01&to=2026-01-01", "from")]
    [InlineData("axisX=country&country=Kyrgyzstan", "country")]
    [InlineData("axisX=country&platform=myspace", "platform")]
    [InlineData("axisX=country&action=banned", "action")]
    [InlineData("axisX=country&axisY=platform&action=content_removed", "action")]
    [InlineData("axisX=subjectType&axisY=action&country=KG", "country")]
    [InlineData("axisX=country&format=xml", "format")]
    [InlineData("axisX=country&release=0", "release")]
    public async Task a_bad_query_names_its_parameter(string query, string field)
    {
        using var response = await host.CreateClient().GetAsync($"/api/public/aggregation?{query}");
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        using var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        Assert.True(json.RootElement.GetProperty("errors").TryGetProperty(field, out _), json.RootElement.GetRawText());
    }

    [Fact]
    public async Task a_release_freezes_the_numbers_and_says_what_changed_since_the_one_before()
    {
        await SeedAsync();
        var admin = host.CreateAdminClient();
        using (var anonymous = await host.CreateClient().PostAsync("/api/public/releases", null))
            Assert.Equal(HttpStatusCode.Unauthorized, anonymous.StatusCode);
        var list = (await host.CreateClient().GetFromJsonAsync<JsonElement>("/api/public/releases")).GetProperty("items");
        var latest = list[0];
        int number = latest.GetProperty("number").GetInt32();
        Assert.Matches("^[0-9a-f]{64}$", latest.GetProperty("sha256").GetString());
        Assert.Equal(latest.GetRawText(), (await host.CreateClient().GetFromJsonAsync<JsonElement>($"/api/public/releases/{number}")).GetRawText());
        using (var missing = await host.CreateClient().GetAsync("/api/public/releases/9999"))
            Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);

        // A late report for April and one retracted: the next release lists April as changed, the earlier one still answers as it was.
        var late = Report("KG", Platform.Telegram, new DateOnly(2019, 4, 28));
        await Submissions.PublishAsync(host.Services, late);
        await Eventually.Until(async () => (await host.CreateClient().GetFromJsonAsync<JsonElement>("/api/public/patterns?grain=month&from=2019-04-01&to=2019-04-30")).GetProperty("rows"),
            rows => rows[0].GetProperty("count") is { ValueKind: JsonValueKind.Number } c && c.GetInt32() >= 21, what: "the late report counted");
        using var published = await admin.PostAsync("/api/public/releases", null);
        Assert.Equal(HttpStatusCode.Created, published.StatusCode);
        var next = await published.Content.ReadFromJsonAsync<JsonElement>();
        Assert.True(next.GetProperty("number").GetInt32() > number);
        Assert.NotEqual(latest.GetProperty("sha256").GetString(), next.GetProperty("sha256").GetString());
        var changes = next.GetProperty("changes");
        var april = Assert.Single(changes.GetProperty("months").EnumerateArray(), m => m.GetProperty("period").GetString() == "2019-04-01");
        Assert.Equal(21, april.GetProperty("after").GetInt32());
        Assert.Equal(changes.GetProperty("incidentsBefore").GetInt32() + 1, changes.GetProperty("incidents").GetInt32());

        int? Total(JsonElement answer) => answer.GetProperty("items")[0].GetProperty("count") is { ValueKind: JsonValueKind.Number } c ? c.GetInt32() : null;
        var then = await GetAsync($"axisX=period&grain=month&from=2019-04-01&to=2019-04-30&release={number}");
        Assert.Equal(number, then.GetProperty("release").GetInt32());
        Assert.Equal(20, Total(then));
        var now = await GetAsync("axisX=period&grain=month&from=2019-04-01&to=2019-04-30");
        Assert.Equal(next.GetProperty("number").GetInt32(), now.GetProperty("release").GetInt32());
        Assert.Equal(21, Total(now));
        using (var unknown = await host.CreateClient().GetAsync("/api/public/aggregation?axisX=country&release=9999"))
            Assert.Equal(HttpStatusCode.NotFound, unknown.StatusCode);
    }

    [Fact]
    public async Task the_open_data_dump_holds_the_release_s_numbers_with_its_checksum_readme_and_dictionary()
    {
        await SeedAsync();
        using var zipResponse = await host.CreateClient().GetAsync("/api/public/open-data/latest.zip");
        Assert.Equal(HttpStatusCode.OK, zipResponse.StatusCode);
        Assert.Equal("application/zip", zipResponse.Content.Headers.ContentType?.MediaType);
        byte[] zip = await zipResponse.Content.ReadAsByteArrayAsync();
        string sum = await host.CreateClient().GetStringAsync("/api/public/open-data/latest.zip.sha256");
        Assert.Equal(Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(zip)), sum.Split(' ')[0]);
        // The same release gives the same bytes.
        Assert.Equal(zip, await host.CreateClient().GetByteArrayAsync("/api/public/open-data/latest.zip"));

        using var archive = new System.IO.Compression.ZipArchive(new MemoryStream(zip));
        string Read(string name) => new StreamReader(archive.GetEntry(name)!.Open()).ReadToEnd();
        Assert.Equal(["README.md", "changes.csv", "counts-day.csv", "counts-month.csv", "counts-week.csv", "data-dictionary.csv"],
            archive.Entries.Select(e => e.FullName).Order(StringComparer.Ordinal).ToArray());
        string readme = Read("README.md");
        Assert.Contains("CC BY 4.0", readme);
        int release = int.Parse(System.Text.RegularExpressions.Regex.Match(readme, @"release (\d+)").Groups[1].Value);
        Assert.Contains("count,", Read("data-dictionary.csv"));

        // The month's table by country, as the dump has it and as the API gives it for the same release.
        var dumped = Read("counts-month.csv").Split("\r\n", StringSplitOptions.RemoveEmptyEntries).Skip(1)
            .Select(l => l.Split(',')).Where(f => f[0] == "2019-04-01" && f[1] == "country")
            .Select(f => $"{f[2]}={f[7]}|{f[8]}").ToList();
        var api = (await GetAsync($"axisX=country&grain=month&from=2019-04-01&to=2019-04-30&release={release}")).GetProperty("items").EnumerateArray()
            .Select(i => $"{i.GetProperty("x").GetString()}={(i.GetProperty("count") is { ValueKind: JsonValueKind.Number } c ? c.GetInt32().ToString() : "")}|{(i.GetProperty("suppressed").GetBoolean() ? "true" : "false")}")
            .ToList();
        Assert.NotEmpty(api);
        Assert.Equal(api, dumped);
    }

    [Fact]
    public async Task country_platform_and_category_together_are_published()
    {
        var table = await GetAsync("axisX=country&axisY=platform&category=spam&grain=month&from=2019-04-01&to=2019-04-30");
        Assert.Equal(JsonValueKind.Array, table.GetProperty("items").ValueKind);
    }
}
