using Takedowns.Testing;
using System.Net;
using System.Text;
using System.Text.Json;

namespace Takedowns.Intake.Tests.Reports;

public sealed class SubmitReportTests(IntakeHost host) : IClassFixture<IntakeHost>
{
    private static HttpRequestMessage Post(string body, string? idempotencyKey)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, "/api/reports")
        {
            Content = new StringContent(body, Encoding.UTF8, "application/json"),
        };
        if (idempotencyKey is not null) request.Headers.Add("Idempotency-Key", idempotencyKey);
        return request;
    }

    [Fact]
    public async Task repeating_a_request_returns_the_same_report_and_stores_nothing_new()
    {
        var org = await host.RegisterOrganisationAsync();
        var client = host.CreateClient(org.ApiKey);
        string body = SampleReports.Body();

        using var first = await client.SendAsync(Post(body, "key-1"));
        Assert.Equal(HttpStatusCode.Accepted, first.StatusCode);
        long stored = await host.StoredEventCountAsync();
        using var again = await client.SendAsync(Post(body, "key-1"));

        Assert.Equal(HttpStatusCode.Accepted, again.StatusCode);
        Assert.Equal(await IntakeHost.ReportIdOf(first), await IntakeHost.ReportIdOf(again));
        Assert.Equal(stored, await host.StoredEventCountAsync());
    }

    [Fact]
    public async Task the_same_key_with_another_body_is_refused_with_422()
    {
        var org = await host.RegisterOrganisationAsync();
        var client = host.CreateClient(org.ApiKey);
        using var first = await client.SendAsync(Post(SampleReports.Body(country: "KZ"), "key-2"));
        long stored = await host.StoredEventCountAsync();

        using var other = await client.SendAsync(Post(SampleReports.Body(country: "UZ"), "key-2"));

        Assert.Equal(HttpStatusCode.UnprocessableEntity, other.StatusCode);
        Assert.Contains("Idempotency-Key", await other.Content.ReadAsStringAsync());
        Assert.Equal(stored, await host.StoredEventCountAsync());
    }

    [Fact]
    public async Task idempotency_keys_belong_to_one_organisation()
    {
        var a = await host.RegisterOrganisationAsync();
        var b = await host.RegisterOrganisationAsync();
        string body = SampleReports.Body();
        using var fromA = await host.CreateClient(a.ApiKey).SendAsync(Post(body, "shared-key"));
        using var fromB = await host.CreateClient(b.ApiKey).SendAsync(Post(body, "shared-key"));
        Assert.NotEqual(await IntakeHost.ReportIdOf(fromA), await IntakeHost.ReportIdOf(fromB));
    }

    [Fact]
    public async Task a_missing_idempotency_key_and_bad_fields_are_named_and_nothing_is_stored()
    {
        var org = await host.RegisterOrganisationAsync();
        long stored = await host.StoredEventCountAsync();
        using var response = await host.CreateClient(org.ApiKey).SendAsync(Post(SampleReports.Body(category: "copyright"), null));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        using var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        var errors = json.RootElement.GetProperty("errors");
        Assert.True(errors.TryGetProperty("Idempotency-Key", out _));
        Assert.True(errors.TryGetProperty("ground.category", out _));
        Assert.Equal(stored, await host.StoredEventCountAsync());
    }

    [Fact]
    public async Task a_body_over_one_mebibyte_is_refused_with_413()
    {
        var org = await host.RegisterOrganisationAsync();
        string huge = SampleReports.Body().Replace("We have received a complaint.", new string('x', 1_100_000));
        using var response = await host.CreateClient(org.ApiKey).SendAsync(Post(huge, "big"));
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, response.StatusCode);
    }

    [Fact]
    public async Task another_organisations_report_answers_404_like_an_unknown_one()
    {
        var owner = await host.RegisterOrganisationAsync();
        var other = await host.RegisterOrganisationAsync();
        using var created = await host.CreateClient(owner.ApiKey).SendAsync(Post(SampleReports.Body(), "mine"));
        Guid reportId = await IntakeHost.ReportIdOf(created);

        using var foreign = await host.CreateClient(other.ApiKey).GetAsync($"/api/reports/{reportId}");
        using var unknown = await host.CreateClient(other.ApiKey).GetAsync($"/api/reports/{Guid.NewGuid()}");
        using var own = await host.CreateClient(owner.ApiKey).GetAsync($"/api/reports/{reportId}");

        Assert.Equal(HttpStatusCode.NotFound, foreign.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, unknown.StatusCode);
        Assert.Equal(await unknown.Content.ReadAsStringAsync().ContinueWith(t => Strip(t.Result)),
                     Strip(await foreign.Content.ReadAsStringAsync()));
        Assert.Equal(HttpStatusCode.OK, own.StatusCode);
    }

    [Fact]
    public async Task reports_need_an_organisation_key()
    {
        using var none = await host.CreateClient().SendAsync(Post(SampleReports.Body(), "k"));
        using var wrong = await host.CreateClient("tdk_00000000000000000000000000000000_nope").SendAsync(Post(SampleReports.Body(), "k"));
        using var admin = await host.CreateAdminClient().SendAsync(Post(SampleReports.Body(), "k"));
        Assert.Equal(HttpStatusCode.Unauthorized, none.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, wrong.StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, admin.StatusCode); // the admin acts for no organisation
    }

    // Problem details differ only in their trace id.
    private static string Strip(string problem) => System.Text.RegularExpressions.Regex.Replace(problem, "\"traceId\":\"[^\"]*\"", "");
}
