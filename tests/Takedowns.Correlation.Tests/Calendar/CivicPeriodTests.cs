using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Takedowns.Testing;

namespace Takedowns.Correlation.Tests.Calendar;

public sealed class CivicPeriodTests(ServiceHost<Program> host) : IClassFixture<ServiceHost<Program>>
{
    private const string Path = "/api/analysis/civic-periods";

    private async Task<JsonElement> ListAsync(string query)
    {
        using var response = await host.CreateAdminClient().GetAsync($"{Path}?{query}");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("items");
    }

    [Fact]
    public async Task a_period_is_registered_listed_by_overlap_and_amended()
    {
        var client = host.CreateAdminClient();
        using var created = await client.PostAsJsonAsync(Path, new { country = "am", type = "referendum", name = "Synthetic constitutional referendum", start = "2026-12-05", end = "2026-12-07" });
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        Guid id = (await created.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("periodId").GetGuid();
        Assert.EndsWith(id.ToString(), created.Headers.Location!.ToString());

        var listed = Assert.Single((await ListAsync("country=AM&from=2026-12-01&to=2026-12-05")).EnumerateArray());
        Assert.Equal("AM", listed.GetProperty("country").GetString());
        Assert.Equal("referendum", listed.GetProperty("type").GetString());
        Assert.Empty((await ListAsync("country=AM&from=2026-12-08")).EnumerateArray());

        using var amended = await client.PutAsJsonAsync($"{Path}/{id}", new { country = "AM", type = "referendum", name = "Synthetic constitutional referendum", start = "2026-12-05", end = "2026-12-10" });
        Assert.Equal(HttpStatusCode.OK, amended.StatusCode);
        Assert.Equal("2026-12-10", Assert.Single((await ListAsync("country=AM&from=2026-12-08")).EnumerateArray()).GetProperty("end").GetString());
        Assert.Equal(2, await Database.ScalarAsync($"select count(*) from \"{host.Schema}\".mt_events where stream_id = '{id}'"));

        // The same amendment again changes nothing.
        using var same = await client.PutAsJsonAsync($"{Path}/{id}", new { country = "AM", type = "referendum", name = "Synthetic constitutional referendum", start = "2026-12-05", end = "2026-12-10" });
        Assert.Equal(HttpStatusCode.OK, same.StatusCode);
        Assert.Equal(2, await Database.ScalarAsync($"select count(*) from \"{host.Schema}\".mt_events where stream_id = '{id}'"));
    }

    [Theory]
    [InlineData("""{"type":"election","name":"x","start":"2026-01-01","end":"2026-01-02"}""", "country")]
    [InlineData("""{"country":"AM","type":"coup","name":"x","start":"2026-01-01","end":"2026-01-02"}""", "type")]
    [InlineData("""{"country":"AM","type":"election","name":" ","start":"2026-01-01","end":"2026-01-02"}""", "name")]
    [InlineData("""{"country":"AM","type":"election","name":"x","start":"01.01.2026","end":"2026-01-02"}""", "start")]
    [InlineData("""{"country":"AM","type":"election","name":"x","start":"2026-01-03","end":"2026-01-02"}""", "end")]
    [InlineData("""{"country":"AM","type":"election","name":"x","start":"2026-01-01","end":"2027-06-02"}""", "end")]
    [InlineData("""{"country":"AM","type":"election","name":"x","start":"2026-01-01","end":"2026-01-02","colour":"red"}""", "colour")]
    [InlineData("""{"country":"AM","type":"election","name":"a\u0000b","start":"2026-01-01","end":"2026-01-02"}""", "name")]
    public async Task bad_periods_name_the_field_and_store_nothing(string body, string field)
    {
        long before = await Database.ScalarAsync($"select count(*) from \"{host.Schema}\".mt_events");
        using var response = await host.CreateAdminClient().PostAsync(Path, new StringContent(body, Encoding.UTF8, "application/json"));
        await Problems.AssertNamesFieldAsync(response, field);
        Assert.Equal(before, await Database.ScalarAsync($"select count(*) from \"{host.Schema}\".mt_events"));
    }

    [Fact]
    public async Task amending_an_unknown_period_is_not_found()
    {
        using var response = await host.CreateAdminClient().PutAsJsonAsync($"{Path}/{Guid.NewGuid()}", new { country = "AM", type = "other", name = "x", start = "2026-01-01", end = "2026-01-01" });
        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
    }

    [Fact]
    public async Task the_calendar_is_for_analysts()
    {
        using var anonymous = await host.CreateClient().GetAsync(Path);
        Assert.Equal(HttpStatusCode.Unauthorized, anonymous.StatusCode);
        using var post = await host.CreateClient().PostAsJsonAsync(Path, new { country = "AM" });
        Assert.Equal(HttpStatusCode.Unauthorized, post.StatusCode);
    }
}
